package io.crossbridge.hardening.failure;

import java.time.Duration;

/**
 * The provider refused the call for its own rate limit (HTTP 429, say), possibly saying when to
 * come back.
 */
public class ProviderRateLimitedException extends TransientException {

    private static final long serialVersionUID = 1L;

    /**
     * @param retryAfter the provider's {@code Retry-After}, or {@code null} when it gave none
     */
    public ProviderRateLimitedException(String message, Duration retryAfter) {
        super(message, null, retryAfter);
    }
}
