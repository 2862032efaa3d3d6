package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryExhaustedException;
import io.crossbridge.hardening.retry.RetryListener;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;

/**
 * Retries a {@code @RetryWithBackoff} method with the core {@link Retry}: a plain
 * {@link MethodInterceptor}, not an {@code @Aspect}, since it costs a fraction per call (see
 * BOOT4-NOTES). Each retry runs a fresh clone of the invocation, so interceptors inside this one
 * run again too.
 */
final class RetryWithBackoffInterceptor implements MethodInterceptor {

    private final RetryWithBackoffPolicies policies;

    private final Retry retry;

    private final ScheduledExecutorService scheduler;

    RetryWithBackoffInterceptor(RetryWithBackoffPolicies policies, Retry retry, ScheduledExecutorService scheduler) {
        this.policies = policies;
        this.retry = retry;
        this.scheduler = scheduler;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Class<?> targetClass = invocation.getThis() != null ? AopUtils.getTargetClass(invocation.getThis())
                : invocation.getMethod().getDeclaringClass();
        RetryPolicy policy = policies.policyFor(invocation.getMethod(), targetClass);
        ProxyMethodInvocation template = (ProxyMethodInvocation) ((ProxyMethodInvocation) invocation).invocableClone();
        if (CompletionStage.class.isAssignableFrom(invocation.getMethod().getReturnType())) {
            return retryAsync(template, policy);
        }
        try {
            return retry.call(() -> proceed(template), policy, RetryListener.NONE);
        }
        catch (RetryExhaustedException ex) {
            throw lastFailure(ex);
        }
    }

    private CompletableFuture<Object> retryAsync(ProxyMethodInvocation template, RetryPolicy policy) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        retry.callAsync(() -> {
            try {
                return RetryWithBackoffInterceptor.<CompletionStage<Object>>proceed(template);
            }
            catch (Exception ex) {
                return CompletableFuture.failedFuture(ex);
            }
        }, policy, scheduler, RetryListener.NONE).whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            }
            else {
                result.completeExceptionally(failure instanceof RetryExhaustedException exhausted
                        ? lastFailure(exhausted) : failure);
            }
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proceed(ProxyMethodInvocation template) throws Exception {
        try {
            return (T) template.invocableClone().proceed();
        }
        catch (Exception | Error ex) {
            throw ex;
        }
        catch (Throwable ex) {
            throw new UndeclaredThrowableException(ex);
        }
    }

    /**
     * The contract of annotated methods: the last failure as it was, earlier ones suppressed in it.
     */
    private static Throwable lastFailure(RetryExhaustedException exhausted) {
        Throwable last = exhausted.getCause();
        if (last == null) {
            return exhausted;
        }
        for (Throwable earlier : exhausted.getSuppressed()) {
            if (earlier != last) {
                last.addSuppressed(earlier);
            }
        }
        return last;
    }
}
