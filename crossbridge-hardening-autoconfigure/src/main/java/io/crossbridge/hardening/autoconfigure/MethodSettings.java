package io.crossbridge.hardening.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Settings derived from an annotated method, resolved once and then read on every call. Keyed by
 * method and target class: a class-level annotation can differ between subclasses.
 *
 * @param <A> the annotation
 * @param <T> the resolved settings
 */
public final class MethodSettings<A extends Annotation, T> {

    private final Map<MethodClassKey, T> settings = new ConcurrentHashMap<>();

    private final Class<A> type;

    private final Resolver<A, T> resolver;

    public MethodSettings(Class<A> type, Resolver<A, T> resolver) {
        this.type = type;
        this.resolver = resolver;
    }

    /**
     * Returns the settings of {@code method} called on {@code targetClass}, resolving them the
     * first time.
     */
    public T get(Method method, Class<?> targetClass) {
        MethodClassKey key = new MethodClassKey(method, targetClass);
        T resolved = settings.get(key);
        return resolved != null ? resolved : settings.computeIfAbsent(key, k -> resolve(method, targetClass));
    }

    /** Returns how many methods have been resolved so far (all of them, once startup validated them). */
    public int size() {
        return settings.size();
    }

    /** Returns the settings of the method an interceptor is invoked for, on its target's class. */
    public T get(MethodInvocation invocation) {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        return get(method, target != null ? AopUtils.getTargetClass(target) : method.getDeclaringClass());
    }

    private T resolve(Method method, Class<?> targetClass) {
        A annotation = annotationOf(method, targetClass, type);
        String where = "@" + type.getSimpleName() + " on " + targetClass.getName() + "." + method.getName() + "()";
        if (annotation == null) {
            throw new IllegalStateException(where + " is missing");
        }
        return resolver.resolve(method, targetClass, annotation, where);
    }

    /**
     * Returns {@code type} on {@code method} (or a method it overrides or implements), else on
     * {@code targetClass}, else {@code null}: a method's own annotation wins over its class's.
     */
    public static <A extends Annotation> A annotationOf(Method method, Class<?> targetClass, Class<A> type) {
        A annotation = AnnotatedElementUtils.findMergedAnnotation(method, type);
        return annotation != null ? annotation : AnnotatedElementUtils.findMergedAnnotation(targetClass, type);
    }

    /**
     * Whether a proxy of {@code targetClass} applies {@code type} to {@code method}: a method
     * carrying the annotation itself (or on a method it overrides or implements), whatever its
     * visibility, as a class-based proxy intercepts it; or, with the annotation on the class, a
     * public method of the application's own, never one of {@code Object}'s ({@code toString},
     * {@code equals}, {@code hashCode}). Static, private and final methods cannot be intercepted.
     */
    public static boolean isAdvised(Method method, Class<?> targetClass, Class<? extends Annotation> type) {
        int modifiers = method.getModifiers();
        if (Modifier.isStatic(modifiers) || Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers)) {
            return false;
        }
        if (AnnotatedElementUtils.hasAnnotation(method, type)) {
            return true;
        }
        return Modifier.isPublic(modifiers) && !ReflectionUtils.isObjectMethod(method)
                && AnnotatedElementUtils.hasAnnotation(targetClass, type);
    }

    /**
     * Turns a method's annotation into its settings.
     *
     * @param <A> the annotation
     * @param <T> the settings
     */
    @FunctionalInterface
    public interface Resolver<A, T> {

        /**
         * @param where names the annotation and the method, for messages
         * @throws IllegalStateException naming the method when the settings are bad
         */
        T resolve(Method method, Class<?> targetClass, A annotation, String where);
    }
}
