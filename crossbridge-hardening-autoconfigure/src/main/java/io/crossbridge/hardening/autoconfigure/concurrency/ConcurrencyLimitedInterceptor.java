package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.autoconfigure.call.CallContext;
import io.crossbridge.hardening.autoconfigure.call.CallGuard;
import io.crossbridge.hardening.concurrency.ConcurrencyLimitExceededException;
import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;
import io.crossbridge.hardening.concurrency.ConcurrencyLimiter.Outcome;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs a {@code @ConcurrencyLimited} method only while it holds a place under its limit: a plain
 * {@link MethodInterceptor} (see BOOT4-NOTES for why not an {@code @Aspect}). A blocking call
 * waits for a place on its thread; an asynchronous or reactive one on a future that holds no
 * thread, and a caller that cancels while it waits leaves the queue. The place is given back on
 * every outcome (success, failure, cancel, a fallback outside answering instead), and an adaptive
 * limit hears how the call went ({@link OverloadSignals}).
 */
final class ConcurrencyLimitedInterceptor implements MethodInterceptor {

    private static final Log logger = LogFactory.getLog(ConcurrencyLimitedInterceptor.class);

    private final LimitedMethods methods;

    ConcurrencyLimitedInterceptor(LimitedMethods methods) {
        this.methods = methods;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        LimitedMethod method = methods.methodFor(invocation);
        return method.shape().guard(invocation, new Place(method, invocation));
    }

    /**
     * A held place: the key it was taken under ({@code null} for the limit over all calls), and
     * when, on the limiter's ticker.
     */
    private record Held(String key, long start) {

        /** A place under a fixed limit over all calls, which needs no start time: one for all. */
        static final Held UNTIMED = new Held(null, 0);
    }

    /** The limit's policy for one call of one method. */
    private static final class Place implements CallGuard<Held> {

        private final LimitedMethod method;

        private final MethodInvocation invocation;

        Place(LimitedMethod method, MethodInvocation invocation) {
            this.method = method;
            this.invocation = invocation;
        }

        @Override
        public Held enter() {
            String key = key();
            boolean taken;
            try {
                taken = key == null ? limiter().acquire(method.limit().maxWait())
                        : method.limit().keyed().acquire(key, method.limit().maxWait(), method.timer());
            }
            catch (InterruptedException ex) {
                // The caller gave up waiting: refused, with the interrupt kept for it to see.
                Thread.currentThread().interrupt();
                taken = false;
            }
            catch (RejectedExecutionException closed) {
                // A timer that refuses the wait is a limit closing with the application: a
                // refusal of the limit over all calls (503), as for asynchronous waits.
                throw refused((String) null);
            }
            if (!taken) {
                throw refused(key);
            }
            return held(key);
        }

        @Override
        public boolean waits() {
            return true;
        }

        /**
         * The place as a future. Cancelling it gives up the wait; a place granted as the cancel
         * came is given back here, since nobody else will ever hold it.
         */
        @Override
        public CompletionStage<Held> enterWithoutBlocking(CallContext context) {
            String key;
            CompletableFuture<Void> waiting;
            try {
                key = key();
                waiting = key == null ? limiter().acquireAsync(method.limit().maxWait(), method.timer())
                        : method.limit().keyed().acquireAsync(key, method.limit().maxWait(), method.timer());
            }
            catch (RuntimeException | Error ex) {
                return CompletableFuture.failedFuture(ex);
            }
            CompletableFuture<Held> place = new CompletableFuture<>();
            BiConsumer<Void, Throwable> decided = (granted, failure) -> {
                if (failure == null) {
                    if (place.isDone() || !place.complete(held(key))) {
                        release(key, 0, Outcome.IGNORED);
                    }
                }
                else if (!place.isCancelled()) {
                    // A timer that refuses the wait is a limit closing with the application: a
                    // refusal of the limit over all calls (503 over HTTP), not an error of the call.
                    place.completeExceptionally(failure instanceof ConcurrencyLimitExceededException ? refused(key)
                            : failure instanceof RejectedExecutionException ? refused((String) null) : failure);
                }
            };
            if (waiting.isDone()) {
                waiting.whenComplete(decided);
            }
            else {
                // Granted on the limit's timer: the call that follows runs off it.
                waiting.whenCompleteAsync(decided, method.granted());
            }
            place.whenComplete((held, failure) -> {
                if (place.isCancelled()) {
                    waiting.cancel(false);
                }
            });
            return place;
        }

        @Override
        public void succeeded(Held held) {
            release(held.key(), held.start(), Outcome.SUCCEEDED);
        }

        @Override
        public Object failed(Held held, Throwable failure) throws Throwable {
            release(held.key(), held.start(), method.signals().of(failure));
            throw failure;
        }

        @Override
        public void cancelled(Held held) {
            release(held.key(), held.start(), Outcome.IGNORED);
        }

        private ConcurrencyLimiter limiter() {
            return method.limit().limiter();
        }

        private Held held(String key) {
            method.calls().record(true);
            if (key != null) {
                return new Held(key, 0);
            }
            // Only an adaptive limit learns from the call's latency; a fixed one skips the clock.
            return limiter().adaptive() ? new Held(null, limiter().startTime()) : Held.UNTIMED;
        }

        private ConcurrencyLimitExceededException refused(String key) {
            method.calls().record(false);
            ConcurrencyLimitExceededException refusal = key == null ? limiter().exceeded() : method.limit().keyed().exceeded();
            if (logger.isDebugEnabled()) {
                // DEBUG only, so that a flood of refused calls cannot flood the log; never the key.
                logger.debug("Refused a call of " + method.where() + ": " + refusal.getMessage());
            }
            return refusal;
        }

        private void release(String key, long start, Outcome outcome) {
            if (key == null) {
                limiter().release(start, outcome);
            }
            else {
                method.limit().keyed().release(key);
            }
        }

        private String key() {
            if (method.key() == null) {
                return null;
            }
            Object key = method.key().valueFor(invocation.getArguments());
            if (key == null || key.toString().isBlank()) {
                throw new IllegalArgumentException(method.where() + " has a key expression \"" + method.key().text()
                        + "\" that gave " + (key == null ? "null" : "a blank key") + "; a per-key limit needs a key");
            }
            return key.toString();
        }
    }
}
