package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.MethodSettings;
import io.crossbridge.hardening.autoconfigure.call.CallContext;
import io.crossbridge.hardening.autoconfigure.call.CallRetry;
import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryExhaustedException;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * Retries a {@code @RetryWithBackoff} method with the core {@link Retry}: a plain
 * {@link MethodInterceptor}, not an {@code @Aspect}, since it costs a fraction per call (see
 * BOOT4-NOTES). The method's {@link io.crossbridge.hardening.autoconfigure.call.CallShape} replays
 * the call (blocking, asynchronous or reactive); each retry runs a fresh clone of the invocation,
 * so interceptors inside this one run again too. Each retry is logged at INFO, an exhaustion at WARN (at most once a second per
 * method, with the number held back); arguments never are.
 */
final class RetryWithBackoffInterceptor implements MethodInterceptor {

    private static final Log logger = LogFactory.getLog(RetryWithBackoffInterceptor.class);

    /** Each method's retry, made once: nothing of it is allocated per call. */
    private final MethodSettings<RetryWithBackoff, Retried> retried;

    private final Retry retry;

    private final ScheduledExecutorService scheduler;

    /** Resolved at the first call: the observation registry may come after this interceptor. */
    private final SingletonSupplier<RetryObserver> observer;

    RetryWithBackoffInterceptor(RetryWithBackoffPolicies methods, Retry retry, ScheduledExecutorService scheduler,
            ObjectProvider<RetryObserver> observer) {
        this.retried = new MethodSettings<>(RetryWithBackoff.class,
                (method, targetClass, annotation, where) -> new Retried(methods.methodFor(method, targetClass)));
        this.retry = retry;
        this.scheduler = scheduler;
        this.observer = SingletonSupplier.of(() -> observer.getIfAvailable(() -> RetryObserver.NONE));
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Retried method = retried.get(invocation);
        return method.method.shape().retry(invocation, method);
    }

    /** One method's retry, for its shape to replay its calls. */
    private final class Retried implements CallRetry {

        private final RetriedMethod method;

        Retried(RetriedMethod method) {
            this.method = method;
        }

        @Override
        public Retry retry() {
            return retry;
        }

        @Override
        public RetryPolicy policy() {
            return method.policy();
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return scheduler;
        }

        @Override
        public CallRetry.Attempts start(boolean onThisThread, CallContext context) {
            return new MethodAttempts(method, observer.get().start(method, onThisThread, context.get(CallContext.OBSERVATION)));
        }
    }

    /**
     * One call's attempts: counts them, logs each retry, and turns an exhaustion into the
     * method's contract (the last failure as it was, earlier ones suppressed in it).
     */
    private static final class MethodAttempts implements CallRetry.Attempts {

        private final RetriedMethod method;

        private final RetryObserver.Call observation;

        /** Written by one attempt at a time; attempts of one call never overlap. */
        private volatile int count = 1;

        MethodAttempts(RetriedMethod method, RetryObserver.Call observation) {
            this.method = method;
            this.observation = observation;
        }

        @Override
        public void onRetry(int attempt, Throwable failure, Duration delay) {
            count = attempt + 1;
            observation.retrying(attempt, failure, delay);
            if (logger.isInfoEnabled()) {
                logger.info("Retrying " + method.name() + " (policy '" + method.policyName() + "'): attempt " + attempt
                        + " failed with " + (failure == null ? "a rejected result" : failure.getClass().getName())
                        + ", attempt " + (attempt + 1) + " in " + delay.toMillis() + " ms");
            }
        }

        @Override
        public void succeeded() {
            method.recorder().record(count, RetryRecorder.Outcome.succeeded(count));
            observation.end(null);
        }

        @Override
        public Throwable failed(Throwable failure) {
            method.recorder().record(count, RetryRecorder.Outcome.failed(count, failure));
            Throwable thrown = failure instanceof RetryExhaustedException exhausted ? lastFailure(exhausted) : failure;
            observation.end(thrown);
            return thrown;
        }

        @Override
        public void cancelled() {
            // Not a call outcome the meters count: the caller no longer wanted one.
            observation.cancelled();
        }

        @Override
        public Object observation() {
            return observation.observation();
        }

        /** The method's contract: the last failure as it was, earlier ones suppressed in it. */
        private Throwable lastFailure(RetryExhaustedException exhausted) {
            // One line a second per method at most: a provider that is down fails every call.
            long heldBack = logger.isWarnEnabled() ? method.gaveUpLog().tryLog() : -1;
            if (heldBack >= 0) {
                logger.warn("Gave up retrying " + method.name() + " (policy '" + method.policyName() + "') after "
                        + exhausted.attempts() + " attempts (" + exhausted.reason() + "); last failure: "
                        + (exhausted.getCause() == null ? "a rejected result" : exhausted.getCause().getClass().getName())
                        + (heldBack > 0 ? "; " + heldBack + " more calls gave up since the last report" : ""));
            }
            return exhausted.toLastFailure();
        }
    }
}
