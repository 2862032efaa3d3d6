package io.crossbridge.hardening.failure;

/**
 * The provider rejected the request itself.
 */
public class ValidationException extends PermanentException {

    private static final long serialVersionUID = 1L;

    public ValidationException(String message) {
        super(message);
    }
}
