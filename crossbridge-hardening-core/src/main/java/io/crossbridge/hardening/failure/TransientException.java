package io.crossbridge.hardening.failure;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that may go away if the call is made again: the network, a timeout, a provider's own
 * rate limit, a server error. Retried by every {@link io.crossbridge.hardening.retry.RetryPolicy}.
 */
public class TransientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public TransientException(String message) {
        this(message, null, null);
    }

    public TransientException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /**
     * @param retryAfter how long the provider asked callers to wait, or {@code null}
     */
    public TransientException(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /**
     * Returns how long the provider asked callers to wait before trying again, if it said.
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
