package io.crossbridge.hardening.autoconfigure.retry;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Resolves the policy of every {@code @RetryWithBackoff} method of every singleton once the
 * context is built, so that an unknown policy name or a bad inline value stops startup, naming
 * the bean and the method, instead of failing the first call.
 */
final class RetryWithBackoffValidator implements SmartInitializingSingleton {

    private final ConfigurableListableBeanFactory beanFactory;

    private final RetryWithBackoffPolicies policies;

    RetryWithBackoffValidator(ConfigurableListableBeanFactory beanFactory, RetryWithBackoffPolicies policies) {
        this.beanFactory = beanFactory;
        this.policies = policies;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (String name : beanFactory.getBeanDefinitionNames()) {
            Class<?> type = beanFactory.getType(name, false);
            if (type == null) {
                continue;
            }
            Class<?> userClass = ClassUtils.getUserClass(type);
            for (Method method : ReflectionUtils.getUniqueDeclaredMethods(userClass, ReflectionUtils.USER_DECLARED_METHODS)) {
                if (isRetried(method, userClass)) {
                    try {
                        policies.policyFor(method, userClass);
                    }
                    catch (IllegalStateException ex) {
                        throw new IllegalStateException("Bean '" + name + "': " + ex.getMessage(), ex);
                    }
                }
            }
        }
    }

    private static boolean isRetried(Method method, Class<?> userClass) {
        return Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers())
                && RetryWithBackoffPolicies.annotationOf(method, userClass) != null;
    }
}
