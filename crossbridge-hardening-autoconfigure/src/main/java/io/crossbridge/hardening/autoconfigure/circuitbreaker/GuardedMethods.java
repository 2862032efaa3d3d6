package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.autoconfigure.MethodSettings;
import io.crossbridge.hardening.autoconfigure.call.CallShape;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link GuardedMethod} of each {@code @CircuitBreaker} method, resolved once per method (at
 * startup for singletons) and cached. An unknown breaker or a fallback that does not exist or
 * does not fit is an {@link IllegalStateException} naming the method.
 */
final class GuardedMethods {

    private final ObjectProvider<CircuitBreakerCatalog> catalog;

    private final ObjectProvider<BreakerCalls.Factory> calls;

    private final MethodSettings<CircuitBreaker, GuardedMethod> methods = new MethodSettings<>(CircuitBreaker.class,
            this::resolve);

    GuardedMethods(ObjectProvider<CircuitBreakerCatalog> catalog, ObjectProvider<BreakerCalls.Factory> calls) {
        this.catalog = catalog;
        this.calls = calls;
    }

    GuardedMethod methodFor(Method method, Class<?> targetClass) {
        return methods.get(method, targetClass);
    }

    GuardedMethod methodFor(MethodInvocation invocation) {
        return methods.get(invocation);
    }

    private GuardedMethod resolve(Method method, Class<?> targetClass, CircuitBreaker annotation, String where) {
        CircuitBreakerCatalog breakers = catalog.getIfAvailable();
        if (breakers == null) {
            throw new IllegalStateException(where + " needs circuit breakers enabled (crossbridge.hardening.circuit-breaker.enabled)");
        }
        io.crossbridge.hardening.circuitbreaker.CircuitBreaker breaker = breakers.find(annotation.name())
                .orElseThrow(() -> new IllegalStateException(where + " names circuit breaker '" + annotation.name()
                        + "', which does not exist; configured: " + breakers.names()));
        BreakerCalls counters = calls.getIfAvailable(() -> name -> BreakerCalls.NONE).forBreaker(breaker.name());
        CallShape shape = CallShape.of(method, where);
        if (annotation.fallback().isEmpty()) {
            return new GuardedMethod(breaker, null, null, counters, shape);
        }
        Method fallback = fallback(where, method, targetClass, annotation.fallback());
        ReflectionUtils.makeAccessible(fallback);
        Class<?> failureType = fallback.getParameterCount() > method.getParameterCount()
                ? fallback.getParameterTypes()[method.getParameterCount()] : null;
        return new GuardedMethod(breaker, fallback, failureType, counters, shape);
    }

    /**
     * Finds the fallback: same name, the method's parameters, optionally one more for the
     * failure, and a return type the method may return. One that takes the failure wins.
     */
    private static Method fallback(String where, Method method, Class<?> targetClass, String name) {
        Class<?>[] parameters = method.getParameterTypes();
        List<Method> candidates = new ArrayList<>();
        ReflectionUtils.doWithMethods(targetClass, candidates::add, candidate -> candidate.getName().equals(name));
        Method plain = null;
        for (Method candidate : candidates) {
            Class<?>[] types = candidate.getParameterTypes();
            boolean sameParameters = Arrays.equals(Arrays.copyOf(types, Math.min(types.length, parameters.length)), parameters);
            if (!sameParameters || !ClassUtils.isAssignable(method.getReturnType(), candidate.getReturnType())) {
                continue;
            }
            if (types.length == parameters.length + 1 && Throwable.class.isAssignableFrom(types[parameters.length])) {
                return candidate;
            }
            if (types.length == parameters.length) {
                plain = candidate;
            }
        }
        if (plain == null) {
            throw new IllegalStateException(where + " names fallback '" + name + "', but " + targetClass.getSimpleName()
                    + " has no method " + name + "(" + String.join(", ", Arrays.stream(parameters).map(Class::getSimpleName).toList())
                    + "[, a Throwable]) returning " + method.getReturnType().getSimpleName());
        }
        return plain;
    }
}
