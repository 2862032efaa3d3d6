package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.BreakerCalls.Outcome;
import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Calls a {@code @CircuitBreaker} method through its breaker: a plain {@link MethodInterceptor}
 * (see BOOT4-NOTES for why not an {@code @Aspect}). A refused call never reaches the method; a
 * failure the breaker records (not a permanent one) and a refusal go to the fallback when there
 * is one. A method returning a {@code CompletionStage} is judged when its future completes, and
 * answers with a future either way.
 */
final class CircuitBreakerInterceptor implements MethodInterceptor {

    private final GuardedMethods methods;

    CircuitBreakerInterceptor(GuardedMethods methods) {
        this.methods = methods;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        GuardedMethod method = methods.methodFor(invocation);
        CircuitBreaker breaker = method.breaker();
        boolean async = method.async();
        CircuitBreaker.Permit permit = breaker.tryAcquire();
        if (permit == null) {
            method.calls().record(Outcome.NOT_PERMITTED);
            return fallbackOrFail(method, invocation, breaker.refusal(), async);
        }
        long start = System.nanoTime();
        Object result;
        try {
            result = invocation.proceed();
        }
        catch (Throwable ex) {
            return failed(method, invocation, permit, System.nanoTime() - start, ex, async);
        }
        if (async && result instanceof CompletionStage<?> stage) {
            return judgedLater(method, invocation, permit, start, stage);
        }
        breaker.onSuccess(permit, System.nanoTime() - start);
        method.calls().record(Outcome.SUCCESS);
        return result;
    }

    private CompletableFuture<Object> judgedLater(GuardedMethod method, MethodInvocation invocation,
            CircuitBreaker.Permit permit, long start, CompletionStage<?> stage) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            long took = System.nanoTime() - start;
            if (failure == null) {
                method.breaker().onSuccess(permit, took);
                method.calls().record(Outcome.SUCCESS);
                answer.complete(value);
                return;
            }
            try {
                relay(failed(method, invocation, permit, took, AsyncFailures.unwrap(failure), true), answer);
            }
            catch (Throwable ex) {
                answer.completeExceptionally(ex);
            }
        });
        return answer;
    }

    private Object failed(GuardedMethod method, MethodInvocation invocation, CircuitBreaker.Permit permit, long took,
            Throwable failure, boolean async) throws Throwable {
        if (!method.breaker().onError(permit, took, failure)) {
            // A permanent failure is the caller's: no fallback hides it.
            return fail(failure, async);
        }
        method.calls().record(Outcome.FAILURE);
        return fallbackOrFail(method, invocation, failure, async);
    }

    private Object fallbackOrFail(GuardedMethod method, MethodInvocation invocation, Throwable failure, boolean async)
            throws Throwable {
        Class<?> failureType = method.failureType();
        if (method.fallback() == null || (failureType != null && !failureType.isInstance(failure))) {
            return fail(failure, async);
        }
        Object[] arguments = invocation.getArguments();
        if (failureType != null) {
            arguments = Arrays.copyOf(arguments, arguments.length + 1);
            arguments[arguments.length - 1] = failure;
        }
        try {
            Object answer = method.fallback().invoke(invocation.getThis(), arguments);
            method.calls().record(Outcome.FALLBACK);
            return answer;
        }
        catch (InvocationTargetException ex) {
            return fail(ex.getCause(), async);
        }
    }

    private static Object fail(Throwable failure, boolean async) throws Throwable {
        if (async) {
            return CompletableFuture.failedFuture(failure);
        }
        throw failure;
    }

    @SuppressWarnings("unchecked")
    private static void relay(Object outcome, CompletableFuture<Object> answer) {
        if (outcome instanceof CompletionStage<?> stage) {
            ((CompletionStage<Object>) stage).whenComplete((value, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(AsyncFailures.unwrap(failure));
                }
                else {
                    answer.complete(value);
                }
            });
        }
        else {
            answer.complete(outcome);
        }
    }
}
