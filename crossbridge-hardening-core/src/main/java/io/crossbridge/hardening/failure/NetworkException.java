package io.crossbridge.hardening.failure;

/**
 * The provider could not be reached, or the connection broke.
 */
public class NetworkException extends TransientException {

    private static final long serialVersionUID = 1L;

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
