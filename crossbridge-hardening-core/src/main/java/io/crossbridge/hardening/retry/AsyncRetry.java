package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.AsyncFailures;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
        stage.whenComplete((value, error) -> afterAttempt(attempt, value, error));
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
