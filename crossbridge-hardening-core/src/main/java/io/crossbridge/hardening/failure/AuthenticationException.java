package io.crossbridge.hardening.failure;

/**
 * The provider rejected the caller's credentials.
 */
public class AuthenticationException extends PermanentException {

    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
