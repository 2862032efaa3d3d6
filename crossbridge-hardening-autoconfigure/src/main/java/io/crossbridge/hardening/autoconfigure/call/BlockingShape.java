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
        ReplayedCall<Object> call = new ReplayedCall<>(invocation);
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
     * The intercepted call, made repeatable: the first attempt proceeds the invocation itself, each
     * retry the same invocation set back to where this advice received it, or, where Spring's
     * invocation cannot be set back, a fresh clone of a copy taken before the first attempt ran.
     * Attempts never overlap, and each happens-after the one before.
     *
     * @param <T> what the method returns
     */
    static final class ReplayedCall<T> implements Callable<T> {

        private final MethodInvocation invocation;

        /** The arguments as this advice received them, which an advice inside may replace. */
        private final Object[] arguments;

        /** Where this advice received the invocation; {@code -1} to replay clones of {@link #template}. */
        private final int position;

        private final ProxyMethodInvocation template;

        private volatile boolean started;

        ReplayedCall(MethodInvocation invocation) {
            this.invocation = invocation;
            this.arguments = invocation.getArguments();
            this.position = InvocationRewind.position(invocation);
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
                    InvocationRewind.rewind(invocation, position, arguments);
                }
            }
            started = true;
            return CallShape.proceed(attempt);
        }
    }
}
