package io.crossbridge.hardening.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Settings derived from an annotated method, resolved once and then read on every call. Keyed by
 * method and target class: a class-level annotation can differ between subclasses.
 *
 * @param <T> the resolved settings
 */
public final class MethodSettings<T> {

    private final Map<MethodClassKey, T> settings = new ConcurrentHashMap<>();

    private final BiFunction<Method, Class<?>, T> resolver;

    public MethodSettings(BiFunction<Method, Class<?>, T> resolver) {
        this.resolver = resolver;
    }

    /**
     * Returns the settings of {@code method} called on {@code targetClass}, resolving them the
     * first time.
     */
    public T get(Method method, Class<?> targetClass) {
        MethodClassKey key = new MethodClassKey(method, targetClass);
        T resolved = settings.get(key);
        return resolved != null ? resolved : settings.computeIfAbsent(key, k -> resolver.apply(method, targetClass));
    }

    /** Returns the settings of the method an interceptor is invoked for, on its target's class. */
    public T get(MethodInvocation invocation) {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        return get(method, target != null ? AopUtils.getTargetClass(target) : method.getDeclaringClass());
    }

    /**
     * Returns {@code type} on {@code method} (or a method it overrides or implements), else on
     * {@code targetClass}, else {@code null}: a method's own annotation wins over its class's.
     */
    public static <A extends Annotation> A annotationOf(Method method, Class<?> targetClass, Class<A> type) {
        A annotation = AnnotatedElementUtils.findMergedAnnotation(method, type);
        return annotation != null ? annotation : AnnotatedElementUtils.findMergedAnnotation(targetClass, type);
    }
}
