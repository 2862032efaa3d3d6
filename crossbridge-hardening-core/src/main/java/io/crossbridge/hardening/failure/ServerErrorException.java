package io.crossbridge.hardening.failure;

import java.time.Duration;

/**
 * The provider failed on its side (HTTP 5xx).
 */
public class ServerErrorException extends TransientException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;

    /**
     * @param statusCode the HTTP status, from 500 to 599
     * @param retryAfter the provider's {@code Retry-After} (a 503 may carry one), or {@code null}
     */
    public ServerErrorException(String message, int statusCode, Duration retryAfter) {
        super(message, null, retryAfter);
        if (statusCode < 500 || statusCode > 599) {
            throw new IllegalArgumentException("statusCode of a server error must be from 500 to 599, was " + statusCode);
        }
        this.statusCode = statusCode;
    }

    public int statusCode() {
        return statusCode;
    }
}
