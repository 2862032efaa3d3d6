package io.crossbridge.hardening.failure;

/**
 * The provider did not answer in time.
 */
public class ProviderTimeoutException extends TransientException {

    private static final long serialVersionUID = 1L;

    public ProviderTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
