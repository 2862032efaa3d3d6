package io.crossbridge.hardening.retry;

/**
 * The provider rejected the request itself.
 */
public class ValidationException extends PermanentException {

    private static final long serialVersionUID = 1L;

    public ValidationException(String message) {
        super(message);
    }
}
