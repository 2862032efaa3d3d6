package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.autoconfigure.call.CallGuard;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.BreakerCalls.Outcome;
import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;
import io.crossbridge.hardening.concurrency.ConcurrencyLimitExceededException;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Calls a {@code @CircuitBreaker} method through its breaker: a plain {@link MethodInterceptor}
 * (see BOOT4-NOTES for why not an {@code @Aspect}). A refused call never reaches the method; a
 * failure the breaker records (not a permanent one) and a refusal go to the fallback when there
 * is one. The method's {@link io.crossbridge.hardening.autoconfigure.call.CallShape} decides when
 * the outcome is known: at once, when its future completes, or per subscription; a fallback
 * answers in the same shape (but never after elements of a stream reached the subscriber), and a
 * cancelled call gives its permit back.
 */
final class CircuitBreakerInterceptor implements MethodInterceptor {

    private final GuardedMethods methods;

    CircuitBreakerInterceptor(GuardedMethods methods) {
        this.methods = methods;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        GuardedMethod method = methods.methodFor(invocation);
        return method.shape().guard(invocation, new Breaker(method, invocation));
    }

    /** A permitted call: its permit, and when it started. */
    private record Permitted(CircuitBreaker.Permit permit, long start) {

        long took() {
            return System.nanoTime() - start;
        }
    }

    /** The breaker's policy for one call of one method. */
    private static final class Breaker implements CallGuard<Permitted> {

        private final GuardedMethod method;

        private final MethodInvocation invocation;

        Breaker(GuardedMethod method, MethodInvocation invocation) {
            this.method = method;
            this.invocation = invocation;
        }

        @Override
        public Permitted enter() {
            CircuitBreaker.Permit permit = method.breaker().tryAcquire();
            if (permit == null) {
                method.calls().record(Outcome.NOT_PERMITTED);
                throw method.breaker().refusal();
            }
            return new Permitted(permit, System.nanoTime());
        }

        @Override
        public Object refused(Throwable refusal) throws Throwable {
            return fallbackOrFail(refusal);
        }

        @Override
        public void succeeded(Permitted call) {
            method.breaker().onSuccess(call.permit(), call.took());
            method.calls().record(Outcome.SUCCESS);
        }

        @Override
        public Object failed(Permitted call, Throwable failure) throws Throwable {
            if (failure instanceof ConcurrencyLimitExceededException) {
                // A full concurrency limit inside is this application's queue, not the provider
                // failing: the permit goes back uncounted, and the fallback may still answer.
                method.breaker().release(call.permit());
                return fallbackOrFail(failure);
            }
            if (!method.breaker().onError(call.permit(), call.took(), failure)) {
                // A permanent failure is the caller's: no fallback hides it.
                throw failure;
            }
            method.calls().record(Outcome.FAILURE);
            return fallbackOrFail(failure);
        }

        @Override
        public void failedAfterElements(Permitted call, Throwable failure) {
            // Counted against the provider all the same; no fallback after what was delivered.
            if (method.breaker().onError(call.permit(), call.took(), failure)) {
                method.calls().record(Outcome.FAILURE);
            }
        }

        @Override
        public void cancelled(Permitted call) {
            method.breaker().release(call.permit());
        }

        private Object fallbackOrFail(Throwable failure) throws Throwable {
            Class<?> failureType = method.failureType();
            if (method.fallback() == null || (failureType != null && !failureType.isInstance(failure))) {
                throw failure;
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
                throw ex.getCause();
            }
        }
    }
}
