package io.crossbridge.hardening.autoconfigure;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import org.springframework.core.MethodClassKey;

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
}
