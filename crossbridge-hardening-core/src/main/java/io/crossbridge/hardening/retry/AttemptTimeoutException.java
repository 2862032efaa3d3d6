package io.crossbridge.hardening.retry;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * One attempt of an asynchronous or reactive call took longer than its policy's
 * {@link RetryPolicy#attemptTimeout() attemptTimeout}: it was cancelled, and counts as a transient
 * failure (a {@link TimeoutException}), so the call is retried while attempts remain.
 * <p>
 * A plain {@code CompletableFuture} of the attempt is cancelled with a
 * {@link java.util.concurrent.CancellationException} whose cause is this exception, so that what
 * runs inside the retry and answered with it (a concurrency limit, a breaker) can tell a timeout
 * from the caller giving up; a future of its own kind (Reactor's {@code toFuture()}) is cancelled
 * through its {@code cancel}, which it may need to stop its work, and then completed the same way
 * if that did not end it. Read the cancellation from the future itself ({@code handle},
 * {@code whenComplete}), not from {@code join()} or {@code get()}: newer JDKs throw a new
 * {@code CancellationException} there, with the one stored as its cause.
 */
public class AttemptTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final int attempt;

    private final transient Duration timeout;

    public AttemptTimeoutException(int attempt, Duration timeout) {
        super("attempt " + attempt + " took longer than its timeout of " + timeout);
        this.attempt = attempt;
        this.timeout = timeout;
    }

    /** The attempt that timed out, the first being 1. */
    public int attempt() {
        return attempt;
    }

    public Duration timeout() {
        return timeout;
    }
}
