package io.crossbridge.hardening.failure;

/**
 * A failure that calling again will not cure: bad credentials, an invalid request. Never retried.
 */
public class PermanentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PermanentException(String message) {
        super(message);
    }

    public PermanentException(String message, Throwable cause) {
        super(message, cause);
    }
}
