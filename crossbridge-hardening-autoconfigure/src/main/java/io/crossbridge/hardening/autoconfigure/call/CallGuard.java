package io.crossbridge.hardening.autoconfigure.call;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * What one advice does around one call, whatever shape the method's result has: a decision
 * before the call runs, and what follows its outcome. A {@link CallShape} runs it: at once for a
 * blocking method, when the future completes for an asynchronous one, per subscription for a
 * reactive one. For one run, exactly one of {@link #refused}, {@link #succeeded}, {@link #failed},
 * {@link #failedAfterElements}, {@link #timedOut} and {@link #cancelled} follows {@link #enter},
 * and all but the first only after {@link #returned}.
 *
 * @param <E> what entering yields and the outcome needs: a permit, an observation; never
 *            {@code null}
 */
public interface CallGuard<E> {

    /**
     * Decides whether the call may run, before it runs.
     *
     * @throws Throwable the refusal, which {@link #refused} then answers
     */
    E enter() throws Throwable;

    /**
     * Decides without blocking, for a caller that must not block (a reactive subscription), with
     * what the caller keeps beside the call. The default decides at once, on this thread.
     */
    default CompletionStage<E> enterWithoutBlocking(CallContext context) {
        try {
            return CompletableFuture.completedFuture(enter());
        }
        catch (Throwable ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Whether entering may wait for other calls to end (a place in a queue), not only for a
     * decision. An asynchronous call then enters without blocking too, and runs on the thread
     * that completes the entry; a caller that cancels before the entry comes cancels the stage
     * {@link #enterWithoutBlocking} returned, which gives the wait up (and a stage that completed
     * all the same is followed by {@link #cancelled}). The default does not wait: a stage that
     * cannot be given up is left to decide, and {@link #cancelled} follows its entry.
     */
    default boolean waits() {
        return false;
    }

    /**
     * Answers a call {@link #enter} refused: by throwing the refusal (the default), or with an
     * answer in the method's own shape (a fallback's).
     */
    default Object refused(Throwable refusal) throws Throwable {
        throw refusal;
    }

    /**
     * The observation the call runs under, which a reactive call makes current in its own context
     * (under {@link CallContext#OBSERVATION}), so that what the call observes nests under it;
     * {@code null} for none. A blocking call is made current on its thread by {@link #running}.
     */
    default Object observation(E entry) {
        return null;
    }

    /** The method is about to run on this thread; {@link #returned} follows on the same thread. */
    default void running(E entry) {
    }

    /** The method returned to this thread, or threw; its outcome may come later. */
    default void returned(E entry) {
    }

    /** The call succeeded. */
    void succeeded(E entry);

    /**
     * The call failed with {@code failure} (unwrapped from any future's wrapper). Answers by
     * throwing the failure (the default) or another, or with an answer in the method's own shape.
     */
    default Object failed(E entry, Throwable failure) throws Throwable {
        throw failure;
    }

    /**
     * A multi-valued call failed with {@code failure} after elements reached the subscriber: the
     * failure passes on as it is, since nothing may be appended to what was delivered. The
     * default records it as {@link #failed} would, and drops that answer.
     */
    default void failedAfterElements(E entry, Throwable failure) {
        try {
            failed(entry, failure);
        }
        catch (Throwable ignored) {
            // The default failed() rethrows: the failure passes on by the caller.
        }
    }

    /**
     * The timeout of an attempt (a retry policy's {@code timeout}, outside this advice) cancelled
     * the call before its outcome: the provider took too long. The retry outside answers the
     * caller, so nothing may answer here; the default records the timeout as
     * {@link #failedAfterElements} does.
     */
    default void timedOut(E entry, TimeoutException timeout) {
        failedAfterElements(entry, timeout);
    }

    /** The caller cancelled the call before its outcome: there is none. */
    default void cancelled(E entry) {
    }
}
