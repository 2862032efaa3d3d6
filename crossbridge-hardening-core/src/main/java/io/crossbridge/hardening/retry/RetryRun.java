package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.failure.FailureKind;
import io.crossbridge.hardening.retry.RetryExhaustedException.Reason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The decisions of one retried call after its first unsuccessful attempt: whether to go on, and
 * how long to wait. Made only once a call has failed, so a call that succeeds first time
 * allocates none of this. {@link Retry} runs its own loops with it; a caller that makes the
 * attempts itself (a reactive operator that resubscribes, say) gets one from
 * {@link Retry#run(RetryPolicy)} and asks it after each failed attempt. Not thread-safe:
 * the attempts of one call happen one after another.
 */
public final class RetryRun {

    private final RetryPolicy policy;

    private final Retry retry;

    private final long start;

    /** Made at the first failure: a caller that runs this itself may never fail. */
    private List<Throwable> failures = List.of();

    private long previousDelay;

    RetryRun(RetryPolicy policy, Retry retry, long start) {
        this.policy = policy;
        this.retry = retry;
        this.start = start;
        this.previousDelay = policy.baseDelay().toNanos();
    }

    /**
     * Decides what follows attempt {@code attempt}, which threw {@code failure} or, when it is
     * {@code null}, returned a result the policy retries on. A failure that is not retried comes
     * back as it is, with the earlier attempts' failures suppressed in it.
     */
    public Next afterAttempt(int attempt, Throwable failure) {
        if (failure != null) {
            if (failures.isEmpty()) {
                failures = new ArrayList<>(2);
            }
            failures.add(failure);
            if (policy.classify(failure) != FailureKind.TRANSIENT) {
                return new Rethrow(withEarlierFailures(failure));
            }
        }
        if (attempt >= policy.maxAttempts()) {
            return stop(attempt, Reason.ATTEMPTS, failure == null
                    ? "maxAttempts reached, the last result rejected by retryOnResult" : "maxAttempts reached");
        }
        long delay = Backoff.delayNanos(policy, attempt, previousDelay, retry.random());
        Optional<Duration> hint = failure == null ? Optional.empty() : policy.retryAfter(failure);
        long remaining = policy.maxElapsed() == null ? Long.MAX_VALUE
                : policy.maxElapsed().toNanos() - (retry.ticker().read() - start);
        if (remaining <= 0) {
            return stop(attempt, Reason.MAX_ELAPSED, "maxElapsed " + policy.maxElapsed() + " has passed");
        }
        if (hint.isPresent()) {
            // Waiting less than the provider asked would be refused again: stop at once instead.
            if (hint.get().compareTo(policy.maxDelay()) > 0) {
                return stop(attempt, Reason.RETRY_AFTER_TOO_LONG, "the failure asked to wait " + hint.get()
                        + ", more than maxDelay " + policy.maxDelay());
            }
            if (hint.get().toNanos() > remaining) {
                return stop(attempt, Reason.RETRY_AFTER_TOO_LONG, "the failure asked to wait " + hint.get()
                        + ", more than the " + Duration.ofNanos(remaining) + " left of maxElapsed "
                        + policy.maxElapsed());
            }
            delay = Math.max(delay, hint.get().toNanos());
        }
        if (delay > remaining) {
            return stop(attempt, Reason.MAX_ELAPSED, "waiting " + Duration.ofNanos(delay)
                    + " would pass maxElapsed " + policy.maxElapsed());
        }
        if (retry.budget() != null && !retry.budget().tryRetry()) {
            return stop(attempt, Reason.BUDGET, "the retry budget is spent");
        }
        previousDelay = delay;
        return new Wait(delay);
    }

    /**
     * Returns the exception for an interrupt while waiting after attempt {@code attempt}.
     */
    RetryExhaustedException interrupted(int attempt, InterruptedException interrupt) {
        RetryExhaustedException exhausted = stop(attempt, Reason.INTERRUPTED,
                "interrupted while waiting to retry").exception();
        exhausted.addSuppressed(interrupt);
        return exhausted;
    }

    /** Adds the earlier failures to {@code failure} as suppressed, for a failure rethrown as it is. */
    private Throwable withEarlierFailures(Throwable failure) {
        for (Throwable earlier : failures) {
            if (earlier != failure) {
                failure.addSuppressed(earlier);
            }
        }
        return failure;
    }

    private Stop stop(int attempts, Reason reason, String why) {
        Throwable last = failures.isEmpty() ? null : failures.get(failures.size() - 1);
        RetryExhaustedException exhausted = new RetryExhaustedException("Gave up after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + why, attempts, reason, last);
        for (Throwable earlier : failures) {
            if (earlier != last) {
                exhausted.addSuppressed(earlier);
            }
        }
        return new Stop(exhausted);
    }

    /** What follows an unsuccessful attempt. */
    public sealed interface Next permits Wait, Stop, Rethrow {
    }

    /**
     * Wait this long, then attempt again.
     *
     * @param nanos the wait in nanoseconds
     */
    public record Wait(long nanos) implements Next {
    }

    /**
     * Stop retrying a transient failure: fail with this.
     *
     * @param exception the exhaustion, the last failure as its cause
     */
    public record Stop(RetryExhaustedException exception) implements Next {
    }

    /**
     * The failure is not retried: fail with it as it is.
     *
     * @param failure the failure, earlier ones suppressed in it
     */
    public record Rethrow(Throwable failure) implements Next {
    }
}
