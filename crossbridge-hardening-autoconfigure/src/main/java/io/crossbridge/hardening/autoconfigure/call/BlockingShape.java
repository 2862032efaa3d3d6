package io.crossbridge.hardening.autoconfigure.call;

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
        ReplayedCall call = new ReplayedCall(invocation);
        CallRetry.Attempts attempts = retry.start(true, CallContext.NONE);
        Object result;
        try {
            result = retry.retry().call(call::proceed, retry.policy(), attempts);
        }
        catch (Throwable ex) {
            throw attempts.failed(ex);
        }
        attempts.succeeded();
        return result;
    }

    /**
     * The intercepted call, made repeatable: the first attempt proceeds the invocation itself, each
     * retry a fresh clone of a copy taken before the first ran (a proceeded invocation cannot run
     * again). One clone per call, not per attempt plus one. Attempts never overlap, and each
     * happens-after the one before.
     */
    static final class ReplayedCall {

        private final MethodInvocation invocation;

        private final ProxyMethodInvocation template;

        private volatile boolean started;

        ReplayedCall(MethodInvocation invocation) {
            this.invocation = invocation;
            this.template = template(invocation);
        }

        <T> T proceed() throws Exception {
            MethodInvocation attempt = started ? template.invocableClone() : invocation;
            started = true;
            return CallShape.proceed(attempt);
        }
    }
}
