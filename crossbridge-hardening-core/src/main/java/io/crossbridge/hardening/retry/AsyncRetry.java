package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.AsyncFailures;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
        CompletableFuture<T> bounded = policy.attemptTimeout() == null ? null : futureOf(stage);
        if (bounded == null || bounded.isDone()) {
            stage.whenComplete((value, error) -> afterAttempt(attempt, value, error));
            return;
        }
        AtomicReference<AttemptTimeoutException> timedOut = new AtomicReference<>();
        Future<?> timer;
        try {
            timer = scheduler.schedule(() -> expire(bounded, attempt, timedOut), policy.attemptTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        catch (RuntimeException ex) {
            // A scheduler shut down: the caller hears of it, and the attempt is cancelled.
            result.completeExceptionally(ex);
            return;
        }
        // Observed on the future the timeout ends: for some stages a copy of them.
        bounded.whenComplete((value, error) -> {
            timer.cancel(false);
            AttemptTimeoutException timeout = timedOut.get();
            boolean cancelledByTimeout = timeout != null && AsyncFailures.unwrap(error) instanceof CancellationException;
            afterAttempt(attempt, value, cancelledByTimeout ? timeout : error);
        });
    }

    /** The attempt's timeout has passed: it is cancelled, and fails with the timeout. */
    private void expire(CompletableFuture<T> attempt, int number, AtomicReference<AttemptTimeoutException> timedOut) {
        AttemptTimeoutException timeout = new AttemptTimeoutException(number, policy.attemptTimeout());
        timedOut.set(timeout);
        if (attempt.getClass() == CompletableFuture.class) {
            // A plain future (what an advice inside the retry answers with) is cancelled with the
            // timeout as the cause, so that the advice can tell it from its caller giving up.
            CancellationException cancel = new CancellationException("attempt " + number + " timed out");
            cancel.initCause(timeout);
            attempt.completeExceptionally(cancel);
        }
        else {
            // A future of its own kind may act on cancel alone: Reactor's toFuture() cancels its
            // subscription, and so the request, only there.
            attempt.cancel(false);
        }
    }

    /** The stage as a future to cancel, or {@code null} when it cannot be seen as one. */
    private static <T> CompletableFuture<T> futureOf(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        }
        catch (UnsupportedOperationException ex) {
            // It cannot be cancelled either: it runs unbounded.
            return null;
        }
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
            try {
                scheduler.schedule(() -> attempt(attempt + 1), delay, TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException closed) {
                // The scheduler is shut down (its application closing): no more attempts, and the
                // call fails with this one's failure, as when attempts run out.
                if (failure == null) {
                    throw closed;
                }
                failure.addSuppressed(closed);
                result.completeExceptionally(failure);
            }
        }
        catch (RuntimeException | Error ex) {
            // A listener that threw: the caller must hear of it, not wait forever.
            result.completeExceptionally(ex);
        }
    }
}
