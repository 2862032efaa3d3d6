package io.crossbridge.hardening.autoconfigure.call;

import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionStage;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/**
 * The shape of a method's result, which says when its call has an outcome and how to fail it:
 * {@link BlockingShape at once}, {@link StageShape when its CompletionStage completes}, or
 * {@link ReactiveShape per subscription to its publisher} (any type Spring's
 * {@link ReactiveAdapterRegistry} knows). Each shape runs a {@link CallGuard} and replays a call
 * for a {@link CallRetry}, so the advice states its policy once and never which shape it serves.
 */
public abstract sealed class CallShape permits BlockingShape, StageShape, ReactiveShape {

    private static final boolean reactorPresent = ClassUtils.isPresent("reactor.core.publisher.Flux",
            CallShape.class.getClassLoader());

    /**
     * Returns the shape of {@code method}'s result.
     *
     * @param where names the annotation and the method, for the message
     * @throws IllegalStateException for a reactive result type without Project Reactor on the
     *                               class path, which the reactive shape runs on
     */
    public static CallShape of(Method method, String where) {
        Class<?> type = method.getReturnType();
        if (CompletionStage.class.isAssignableFrom(type)) {
            return StageShape.INSTANCE;
        }
        ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
        if (adapter == null) {
            return BlockingShape.INSTANCE;
        }
        if (!reactorPresent) {
            throw new IllegalStateException(where + " returns " + type.getName() + ", a reactive type; reactive "
                    + "methods need Project Reactor (io.projectreactor:reactor-core) on the class path");
        }
        return new ReactiveShape(adapter);
    }

    /** Whether the call runs on the caller's thread, which nothing can stop safely once it runs. */
    public final boolean blocks() {
        return this instanceof BlockingShape;
    }

    /**
     * Runs the call under {@code guard}, and answers in the method's shape.
     */
    public abstract <E> Object guard(MethodInvocation invocation, CallGuard<E> guard) throws Throwable;

    /**
     * Runs the call, replaying it after each failure {@code retry} retries, and answers in the
     * method's shape. Each replay runs a fresh clone of the invocation, so the advice inside this
     * one runs again too.
     */
    public abstract Object retry(MethodInvocation invocation, CallRetry retry) throws Throwable;

    /** Returns a copy of {@code invocation} taken before it proceeds, to clone once per replay. */
    static ProxyMethodInvocation template(MethodInvocation invocation) {
        return (ProxyMethodInvocation) ((ProxyMethodInvocation) invocation).invocableClone();
    }

    /** Proceeds {@code invocation}, with a checked throwable that is not an exception wrapped. */
    @SuppressWarnings("unchecked")
    static <T> T proceed(MethodInvocation invocation) throws Exception {
        try {
            return (T) invocation.proceed();
        }
        catch (Exception | Error ex) {
            throw ex;
        }
        catch (Throwable ex) {
            throw new UndeclaredThrowableException(ex);
        }
    }
}
