package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryExhaustedException;
import io.crossbridge.hardening.retry.RetryListener;

import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * Retries a {@code @RetryWithBackoff} method with the core {@link Retry}: a plain
 * {@link MethodInterceptor}, not an {@code @Aspect}, since it costs a fraction per call (see
 * BOOT4-NOTES). Each retry runs a fresh clone of the invocation, so interceptors inside this one
 * run again too. Each retry is logged at INFO, an exhaustion at WARN (at most once a second per
 * method, with the number held back); arguments never are.
 */
final class RetryWithBackoffInterceptor implements MethodInterceptor {

    private static final Log logger = LogFactory.getLog(RetryWithBackoffInterceptor.class);

    private final RetryWithBackoffPolicies methods;

    private final Retry retry;

    private final ScheduledExecutorService scheduler;

    /** Resolved at the first call: the observation registry may come after this interceptor. */
    private final SingletonSupplier<RetryObserver> observer;

    RetryWithBackoffInterceptor(RetryWithBackoffPolicies methods, Retry retry, ScheduledExecutorService scheduler,
            ObjectProvider<RetryObserver> observer) {
        this.methods = methods;
        this.retry = retry;
        this.scheduler = scheduler;
        this.observer = SingletonSupplier.of(() -> observer.getIfAvailable(() -> RetryObserver.NONE));
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        RetriedMethod method = methods.methodFor(invocation);
        ReplayableCall call = new ReplayableCall(invocation);
        boolean async = method.async();
        Attempts attempts = new Attempts(method, observer.get().start(method, !async));
        if (async) {
            return retryAsync(call, method, attempts);
        }
        try {
            Object result = retry.call(call::proceed, method.policy(), attempts);
            attempts.succeeded();
            return result;
        }
        catch (Throwable ex) {
            throw attempts.failed(ex);
        }
    }

    private CompletableFuture<Object> retryAsync(ReplayableCall call, RetriedMethod method, Attempts attempts) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        retry.callAsync(() -> {
            try {
                return call.<CompletionStage<Object>>proceed();
            }
            catch (Exception ex) {
                return CompletableFuture.failedFuture(ex);
            }
        }, method.policy(), scheduler, attempts).whenComplete((value, failure) -> {
            if (failure == null) {
                attempts.succeeded();
                result.complete(value);
            }
            else {
                result.completeExceptionally(attempts.failed(failure));
            }
        });
        return result;
    }

    /**
     * The intercepted call, made repeatable: the first attempt proceeds the invocation itself, each
     * retry a fresh clone of a copy taken before the first ran (a proceeded invocation cannot run
     * again), so interceptors inside this one run on every attempt. One clone per call, not per
     * attempt plus one. Attempts never overlap, and each happens-after the one before.
     */
    private static final class ReplayableCall {

        private final MethodInvocation invocation;

        private final ProxyMethodInvocation template;

        private volatile boolean started;

        ReplayableCall(MethodInvocation invocation) {
            this.invocation = invocation;
            this.template = (ProxyMethodInvocation) ((ProxyMethodInvocation) invocation).invocableClone();
        }

        @SuppressWarnings("unchecked")
        <T> T proceed() throws Exception {
            MethodInvocation attempt = started ? template.invocableClone() : invocation;
            started = true;
            try {
                return (T) attempt.proceed();
            }
            catch (Exception | Error ex) {
                throw ex;
            }
            catch (Throwable ex) {
                throw new UndeclaredThrowableException(ex);
            }
        }
    }

    /**
     * One call's attempts: counts them, logs each retry, and turns an exhaustion into the
     * method's contract (the last failure as it was, earlier ones suppressed in it).
     */
    private static final class Attempts implements RetryListener {

        private final RetriedMethod method;

        private final RetryObserver.Call observation;

        /** Written by one attempt at a time; attempts of one call never overlap. */
        private volatile int count = 1;

        Attempts(RetriedMethod method, RetryObserver.Call observation) {
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

        void succeeded() {
            method.recorder().record(count, RetryRecorder.Outcome.succeeded(count));
            observation.end(null);
        }

        Throwable failed(Throwable failure) {
            method.recorder().record(count, RetryRecorder.Outcome.failed(count, failure));
            Throwable thrown = failure instanceof RetryExhaustedException exhausted ? lastFailure(exhausted) : failure;
            observation.end(thrown);
            return thrown;
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
