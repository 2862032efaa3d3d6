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

    /** The last attempt's failure, for a call that ends because the scheduler was shut down. */
    private Throwable lastFailure;

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
        if (attempt > 1 && scheduler.isShutdown()) {
            // Its backoff ran out after the scheduler was shut down (its application closing):
            // no retry starts then, and the call fails with the last failure.
            result.completeExceptionally(endedByShutdown(attempt - 1, lastFailure));
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
        try {
            observe(attempt, stage);
        }
        catch (RuntimeException | Error ex) {
            // A stage that threw when observed: on the scheduler's thread nobody would hear of it,
            // and the caller would wait for ever.
            result.completeExceptionally(ex);
        }
    }

    /** Bounds the attempt under way by its timeout, if any, and judges it when it ends. */
    private void observe(int attempt, CompletionStage<T> stage) {
        CompletableFuture<T> bounded = policy.attemptTimeout() == null ? null : futureOf(stage);
        // Cancelled or completed from outside meanwhile: the attempt under way is cancelled too
        // (a request in flight, a place held under a concurrency limit); done, it is not affected.
        // The future observed is the one cancelled: for a minimal stage, each view is a new copy.
        result.whenComplete((value, error) -> cancel(bounded != null ? bounded : stage));
        AtomicReference<AttemptTimeoutException> timedOut = new AtomicReference<>();
        Future<?> timer = bounded == null || bounded.isDone() ? null : scheduleTimeout(bounded, attempt, timedOut);
        if (timer == null) {
            stage.whenComplete((value, error) -> afterAttempt(attempt, value, error));
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

    /**
     * Schedules the end of the attempt at its timeout; {@code null} when the scheduler is shut
     * down (its application closing), and then the attempt runs unbounded, as it may still end.
     */
    private Future<?> scheduleTimeout(CompletableFuture<T> attempt, int number,
            AtomicReference<AttemptTimeoutException> timedOut) {
        try {
            return scheduler.schedule(() -> expire(attempt, number, timedOut), policy.attemptTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** The attempt's timeout has passed: it is cancelled, and fails with the timeout. */
    private void expire(CompletableFuture<T> attempt, int number, AtomicReference<AttemptTimeoutException> timedOut) {
        AttemptTimeoutException timeout = new AttemptTimeoutException(number, policy.attemptTimeout());
        timedOut.set(timeout);
        CancellationException cancel = new CancellationException("attempt " + number + " timed out");
        cancel.initCause(timeout);
        if (attempt.getClass() != CompletableFuture.class) {
            // A future of its own kind may act on cancel alone: Reactor's toFuture() cancels its
            // subscription, and so the request, only there.
            attempt.cancel(false);
        }
        // A plain future (what an advice inside the retry answers with) is cancelled with the
        // timeout as the cause, so that the advice can tell it from its caller giving up; so is
        // one of its own kind whose cancel did not end it.
        attempt.completeExceptionally(cancel);
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
            if (scheduler.isShutdown()) {
                // The scheduler is shut down (its application closing): no retry starts, and the
                // call fails with this attempt's failure. Checked first so that no listener hears
                // of a retry that will not come.
                result.completeExceptionally(endedByShutdown(attempt, failure));
                return;
            }
            lastFailure = failure;
            listener.onRetry(attempt, failure, Duration.ofNanos(delay));
            try {
                scheduler.schedule(() -> attempt(attempt + 1), delay, TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException closed) {
                // Shut down since the check: the same end.
                result.completeExceptionally(endedByShutdown(attempt, failure));
            }
        }
        catch (RuntimeException | Error ex) {
            // A listener that threw: the caller must hear of it, not wait forever.
            result.completeExceptionally(ex);
        }
    }

    /**
     * What a call fails with when the scheduler, shut down, starts no retry after {@code attempt}:
     * its failure, or for a result the policy retries, a failure that says so.
     */
    private static Throwable endedByShutdown(int attempt, Throwable failure) {
        return failure != null ? failure : new IllegalStateException("attempt " + attempt
                + " gave a result the policy retries, and the retry scheduler was shut down");
    }
}
