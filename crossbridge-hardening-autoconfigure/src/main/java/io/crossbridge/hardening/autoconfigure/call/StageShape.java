package io.crossbridge.hardening.autoconfigure.call;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.retry.AttemptTimeoutException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import org.aopalliance.intercept.MethodInvocation;

/**
 * A method returning a {@code CompletionStage}: its outcome is the stage's, and it answers with a
 * future whatever happens, a refusal or a throw included, so callers handle one path.
 */
final class StageShape extends CallShape {

    static final StageShape INSTANCE = new StageShape();

    private StageShape() {
    }

    @Override
    public <E> Object guard(MethodInvocation invocation, CallGuard<E> guard) {
        if (guard.waits()) {
            return enterWithoutBlocking(invocation, guard);
        }
        E entry;
        try {
            entry = guard.enter();
        }
        catch (Throwable refusal) {
            return answer(() -> guard.refused(refusal));
        }
        return entered(invocation, guard, entry);
    }

    /**
     * Enters without holding the caller's thread: at once when the entry is there, else on the
     * thread that completes it, running a copy of the invocation taken now (the advice outside
     * has returned by then). A caller that cancels before the entry comes gives up its wait.
     */
    private static <E> Object enterWithoutBlocking(MethodInvocation invocation, CallGuard<E> guard) {
        CompletableFuture<E> entering = guard.enterWithoutBlocking(CallContext.NONE).toCompletableFuture();
        if (entering.isDone()) {
            E entry;
            try {
                entry = entering.join();
            }
            catch (CompletionException | CancellationException ex) {
                return answer(() -> guard.refused(AsyncFailures.unwrap(ex)));
            }
            return entered(invocation, guard, entry);
        }
        MethodInvocation later = template(invocation);
        CompletableFuture<Object> answer = new CompletableFuture<>();
        // Cancelled or completed from outside (orTimeout) while waiting: the wait is given up.
        // Once the entry came, cancelling it does nothing.
        answer.whenComplete((value, failure) -> entering.cancel(false));
        entering.whenComplete((entry, refusal) -> {
            if (refusal != null) {
                if (!answer.isDone()) {
                    relay(() -> guard.refused(AsyncFailures.unwrap(refusal)), answer);
                }
            }
            else if (answer.isDone()) {
                // Given up by the caller as the entry came: the call does not run.
                guard.cancelled(entry);
            }
            else {
                CompletableFuture<Object> outcome = entered(later, guard, entry);
                if (outcome == null) {
                    answer.complete(null);
                    return;
                }
                answer.whenComplete((value, failure) -> {
                    if (answer.isCancelled()) {
                        // With the cancellation itself, which may say it was an attempt's timeout.
                        outcome.completeExceptionally(failure);
                    }
                });
                relay(() -> outcome, answer);
            }
        });
        return answer;
    }

    /** Runs the call that entered, and answers with its outcome as a future. */
    private static <E> CompletableFuture<Object> entered(MethodInvocation invocation, CallGuard<E> guard, E entry) {
        CompletionStage<?> stage;
        guard.running(entry);
        try {
            stage = (CompletionStage<?>) invocation.proceed();
        }
        catch (Throwable failure) {
            guard.returned(entry);
            return answer(() -> guard.failed(entry, failure));
        }
        guard.returned(entry);
        if (stage == null) {
            guard.succeeded(entry);
            return null;
        }
        CompletableFuture<Object> answer = new CompletableFuture<>();
        answer.whenComplete((value, failure) -> {
            if (answer.isCancelled()) {
                // The caller's cancel reaches the method's own future (a request under way, say),
                // and an advice inside hears the cancellation itself, which may be a timeout's.
                passOn(failure, stage);
            }
        });
        stage.whenComplete((value, failure) -> {
            if (answer.isDone()) {
                // Cancelled by the caller first: no outcome to judge, unless the caller was a
                // retry whose attempt timed out.
                TimeoutException timeout = timeoutOf(answer);
                if (timeout != null) {
                    guard.timedOut(entry, timeout);
                }
                else {
                    guard.cancelled(entry);
                }
                return;
            }
            if (failure == null) {
                try {
                    guard.succeeded(entry);
                    answer.complete(value);
                }
                catch (RuntimeException | Error ex) {
                    answer.completeExceptionally(ex);
                }
            }
            else {
                relay(() -> guard.failed(entry, AsyncFailures.unwrap(failure)), answer);
            }
        });
        return answer;
    }

    @Override
    public Object retry(MethodInvocation invocation, CallRetry retry) {
        BlockingShape.ReplayedCall<CompletionStage<Object>> call = new BlockingShape.ReplayedCall<>(invocation, false);
        CallRetry.Attempts attempts = retry.start(false, CallContext.NONE);
        CompletableFuture<Object> answer = new CompletableFuture<>();
        CompletableFuture<Object> retried = retry.retry().callAsync(() -> {
            try {
                return call.call();
            }
            catch (Exception ex) {
                return CompletableFuture.failedFuture(ex);
            }
        }, retry.policy(), retry.scheduler(), attempts);
        retried.whenComplete((value, failure) -> {
            if (failure == null) {
                attempts.succeeded();
                answer.complete(value);
            }
            else {
                answer.completeExceptionally(attempts.failed(failure));
            }
        });
        // The caller's cancel (or orTimeout) ends the retry and the attempt under way.
        answer.whenComplete((value, failure) -> retried.cancel(false));
        return answer;
    }

    /** The timeout of an attempt that cancelled {@code answer}, or {@code null}. */
    private static TimeoutException timeoutOf(CompletableFuture<Object> answer) {
        if (!answer.isCancelled()) {
            return null;
        }
        // The cancellation itself, not what join() throws: newer JDKs (25 here) throw a new
        // CancellationException there, whose cause is the one the timeout completed it with.
        Throwable cancel = answer.handle((value, failure) -> failure).join();
        return cancel.getCause() instanceof AttemptTimeoutException timeout ? timeout : null;
    }

    /**
     * Cancels {@code stage} with {@code cancellation}: a future of its own kind through its
     * cancel, which alone may stop its work (Reactor's toFuture()), and every one with the
     * cancellation itself, so that an advice inside can tell an attempt's timeout by its cause.
     */
    private static void passOn(Throwable cancellation, CompletionStage<?> stage) {
        CompletableFuture<?> future;
        try {
            future = stage.toCompletableFuture();
        }
        catch (UnsupportedOperationException ex) {
            // A stage that cannot be seen as a future cannot be cancelled either.
            return;
        }
        if (future.getClass() != CompletableFuture.class) {
            future.cancel(false);
        }
        future.completeExceptionally(cancellation);
    }

    /** The answer of {@code outcome} as a future: its stage, its value, or what it threw. */
    private static CompletableFuture<Object> answer(Outcome outcome) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        relay(outcome, answer);
        return answer;
    }

    @SuppressWarnings("unchecked")
    private static void relay(Outcome outcome, CompletableFuture<Object> answer) {
        Object value;
        try {
            value = outcome.get();
        }
        catch (Throwable ex) {
            answer.completeExceptionally(ex);
            return;
        }
        if (value instanceof CompletionStage<?> stage) {
            ((CompletionStage<Object>) stage).whenComplete((result, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(AsyncFailures.unwrap(failure));
                }
                else {
                    answer.complete(result);
                }
            });
        }
        else {
            answer.complete(value);
        }
    }

    /** What a guard answers, which may throw. */
    @FunctionalInterface
    private interface Outcome {

        Object get() throws Throwable;
    }
}
