package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.AsyncFailures;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One call retried without blocking: each attempt starts when the previous stage completed and
 * its wait, scheduled on the scheduler, is over. Attempts never overlap, so the state needs no
 * lock: each step happens-after the previous one through the stage or the scheduler.
 */
final class AsyncRetry<T> {

    private final CompletableFuture<T> result = new CompletableFuture<>();

    private final Retry retry;

    private final Supplier<? extends CompletionStage<T>> call;

    private final RetryPolicy policy;

    private final ScheduledExecutorService scheduler;

    private final RetryListener listener;

    private final long start;

    private RetryRun run;

    AsyncRetry(Retry retry, Supplier<? extends CompletionStage<T>> call, RetryPolicy policy,
            ScheduledExecutorService scheduler, RetryListener listener, long start) {
        this.retry = retry;
        this.call = call;
        this.policy = policy;
        this.scheduler = scheduler;
        this.listener = listener;
        this.start = start;
    }

    CompletableFuture<T> result() {
        return result;
    }

    void attempt(int attempt) {
        if (result.isDone()) {
            // Cancelled (or completed) by the caller: no more attempts.
            return;
        }
        CompletionStage<T> stage;
        try {
            stage = call.get();
            if (stage == null) {
                throw new NullPointerException("the call returned null instead of a CompletionStage");
            }
        }
        catch (Throwable ex) {
            afterAttempt(attempt, null, ex);
            return;
        }
        // Cancelled or completed from outside meanwhile: the attempt under way is cancelled too
        // (a request in flight, a place held under a concurrency limit); done, it is not affected.
        result.whenComplete((value, error) -> cancel(stage));
        Future<?> timer;
        try {
            timer = policy.attemptTimeout() == null ? null : scheduleTimeout(attempt, stage);
        }
        catch (RuntimeException ex) {
            // A scheduler shut down: the caller hears of it, and the attempt is cancelled.
            result.completeExceptionally(ex);
            return;
        }
        stage.whenComplete((value, error) -> {
            if (timer != null) {
                timer.cancel(false);
            }
            afterAttempt(attempt, value, timedOut(error));
        });
    }

    /**
     * Cancels the attempt when its timeout passes first, with a cancellation whose cause is the
     * timeout: so both a future that only hears {@code cancel} (Reactor's {@code toFuture()},
     * which then cancels its subscription) and what runs inside the attempt learn of it.
     */
    private Future<?> scheduleTimeout(int attempt, CompletionStage<T> stage) {
        CompletableFuture<T> future;
        try {
            future = stage.toCompletableFuture();
        }
        catch (UnsupportedOperationException ex) {
            // A stage that cannot be seen as a future cannot be cancelled: it runs unbounded.
            return null;
        }
        if (future.isDone()) {
            return null;
        }
        Duration timeout = policy.attemptTimeout();
        return scheduler.schedule(() -> {
            CancellationException cancel = new CancellationException("attempt " + attempt + " timed out");
            cancel.initCause(new AttemptTimeoutException(attempt, timeout));
            if (future.completeExceptionally(cancel)) {
                future.cancel(false);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The attempt's failure: its timeout when it was cancelled by it. */
    private static Throwable timedOut(Throwable error) {
        Throwable failure = AsyncFailures.unwrap(error);
        return failure instanceof CancellationException && failure.getCause() instanceof AttemptTimeoutException timeout
                ? timeout : failure;
    }

    private static void cancel(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().cancel(false);
        }
        catch (UnsupportedOperationException ex) {
            // A stage that cannot be seen as a future cannot be cancelled either.
        }
    }

    private void afterAttempt(int attempt, T value, Throwable error) {
        if (result.isDone()) {
            return;
        }
        try {
            Throwable failure = AsyncFailures.unwrap(error);
            if (failure == null && (policy.retryOnResult() == null || !policy.retryOnResult().test(value))) {
                result.complete(value);
                return;
            }
            if (run == null) {
                run = new RetryRun(policy, retry, start);
            }
            RetryRun.Next next = run.afterAttempt(attempt, failure);
            if (next instanceof RetryRun.Rethrow rethrow) {
                result.completeExceptionally(rethrow.failure());
                return;
            }
            if (next instanceof RetryRun.Stop stop) {
                result.completeExceptionally(stop.exception());
                return;
            }
            long delay = ((RetryRun.Wait) next).nanos();
            listener.onRetry(attempt, failure, Duration.ofNanos(delay));
            scheduler.schedule(() -> attempt(attempt + 1), delay, TimeUnit.NANOSECONDS);
        }
        catch (RuntimeException | Error ex) {
            // A listener that threw, or a scheduler that was shut down and rejected the next
            // attempt: the caller must hear of it, not wait forever.
            result.completeExceptionally(ex);
        }
    }
}
