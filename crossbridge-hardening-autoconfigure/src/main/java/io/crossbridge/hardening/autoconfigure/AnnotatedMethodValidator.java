package io.crossbridge.hardening.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.function.BiConsumer;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Resolves the settings of every advised method of every bean once the context is built (the
 * methods {@link MethodSettings#isAdvised} names, whatever their visibility), so that an unknown
 * name or a bad value stops startup, naming the bean and the method, instead of failing the first
 * call.
 */
public final class AnnotatedMethodValidator implements SmartInitializingSingleton {

    private final ConfigurableListableBeanFactory beanFactory;

    private final Class<? extends Annotation> annotation;

    private final BiConsumer<Method, Class<?>> resolve;

    /**
     * @param annotation the annotation whose methods to resolve, on the method or its class
     * @param resolve    resolves (and caches) a method's settings, throwing
     *                   {@link IllegalStateException} that names the method when they are bad
     */
    public AnnotatedMethodValidator(ConfigurableListableBeanFactory beanFactory, Class<? extends Annotation> annotation,
            BiConsumer<Method, Class<?>> resolve) {
        this.beanFactory = beanFactory;
        this.annotation = annotation;
        this.resolve = resolve;
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
                if (MethodSettings.isAdvised(method, userClass, annotation)) {
                    try {
                        resolve.accept(method, userClass);
                    }
                    catch (IllegalStateException ex) {
                        throw new IllegalStateException("Bean '" + name + "': " + ex.getMessage(), ex);
                    }
                }
            }
        }
    }
}
