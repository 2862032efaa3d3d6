package io.crossbridge.hardening.autoconfigure.call;

import java.util.concurrent.Callable;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.ProxyMethodInvocation;

/**
 * A method whose outcome is known when it returns or throws, on the calling thread.
 */
final class BlockingShape extends CallShape {

    static final BlockingShape INSTANCE = new BlockingShape();

    private BlockingShape() {
    }

    @Override
    public <E> Object guard(MethodInvocation invocation, CallGuard<E> guard) throws Throwable {
        E entry;
        try {
            entry = guard.enter();
        }
        catch (Throwable refusal) {
            return guard.refused(refusal);
        }
        Object result;
        guard.running(entry);
        try {
            result = invocation.proceed();
        }
        catch (Throwable failure) {
            guard.returned(entry);
            return guard.failed(entry, failure);
        }
        guard.returned(entry);
        guard.succeeded(entry);
        return result;
    }

    @Override
    public Object retry(MethodInvocation invocation, CallRetry retry) throws Throwable {
        ReplayedCall<Object> call = new ReplayedCall<>(invocation, true);
        CallRetry.Attempts attempts = retry.start(true, CallContext.NONE);
        Object result;
        try {
            result = retry.retry().call(call, retry.policy(), attempts);
        }
        catch (Throwable ex) {
            throw attempts.failed(ex);
        }
        attempts.succeeded();
        return result;
    }

    /**
     * The intercepted call, made repeatable: the first attempt proceeds the invocation itself.
     * Each retry of a blocking call proceeds the same invocation again, set back to where this
     * advice received it and to a copy of the arguments it had then (an advice inside may change
     * them in place); every attempt runs on the calling thread, so nothing else uses the
     * invocation meanwhile. Otherwise (an asynchronous call, whose retry runs on another thread
     * while the caller's may still be leaving the advice outside, or a Spring whose invocation
     * cannot be set back) each retry proceeds a fresh clone of a copy taken before the first
     * attempt. Attempts never overlap, and each happens-after the one before.
     *
     * @param <T> what the method returns
     */
    static final class ReplayedCall<T> implements Callable<T> {

        private final MethodInvocation invocation;

        /** The arguments as this advice received them. */
        private final Object[] arguments;

        /** Where this advice received the invocation; {@code -1} to replay clones of {@link #template}. */
        private final int position;

        private final ProxyMethodInvocation template;

        private volatile boolean started;

        /**
         * @param onThisThread whether every attempt runs on the calling thread, before the call
         *                     returns to the advice outside, so that the invocation may be set back
         */
        ReplayedCall(MethodInvocation invocation, boolean onThisThread) {
            this.invocation = invocation;
            this.position = onThisThread ? InvocationRewind.position(invocation) : -1;
            this.arguments = this.position >= 0 ? invocation.getArguments().clone() : null;
            this.template = this.position < 0 ? template(invocation) : null;
        }

        @Override
        public T call() throws Exception {
            MethodInvocation attempt = invocation;
            if (started) {
                if (template != null) {
                    attempt = template.invocableClone();
                }
                else {
                    InvocationRewind.rewind(invocation, position, arguments.clone());
                }
            }
            started = true;
            return CallShape.proceed(attempt);
        }
    }
}
