package io.crossbridge.hardening.autoconfigure.call;

import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryListener;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.util.concurrent.ScheduledExecutorService;

/**
 * How one method's calls are retried, for a {@link CallShape} to replay them: the retry, the
 * policy, where asynchronous waits run, and what each call records.
 */
public interface CallRetry {

    Retry retry();

    RetryPolicy policy();

    /** Where a {@code CompletionStage} call waits between attempts. */
    ScheduledExecutorService scheduler();

    /**
     * One call starts (for a reactive method, one subscription).
     *
     * @param onThisThread whether the call ends on this thread
     * @param context what the caller keeps beside the call
     */
    Attempts start(boolean onThisThread, CallContext context);

    /**
     * The attempts of one call: told of each retry, then of exactly one outcome.
     */
    interface Attempts extends RetryListener {

        void succeeded();

        /**
         * The call failed for good with {@code failure}, as the retry reported it; returns what
         * the call fails with instead (the method's contract: an exhaustion's last failure).
         */
        Throwable failed(Throwable failure);

        /** The caller cancelled the call: no more attempts, no outcome. */
        void cancelled();

        /**
         * The observation the attempts run under, for a reactive call to make current in each
         * attempt's context (see {@link CallGuard#observation}); {@code null} for none.
         */
        default Object observation() {
            return null;
        }
    }
}
