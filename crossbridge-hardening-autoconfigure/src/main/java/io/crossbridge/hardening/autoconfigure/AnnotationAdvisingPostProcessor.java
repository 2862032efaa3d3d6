package io.crossbridge.hardening.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Proxies every bean with a method or class carrying {@code annotation} and puts
 * {@code interceptor} on it, as Spring's own {@code @Async} support does: one advisor, no
 * dependency on an auto-proxy creator. Each post-processor puts its advisor in front of those
 * already on a proxy; {@link AdviceOrder} turns the configured positions into post-processor
 * orders accordingly. Which methods it advises is {@link MethodSettings#isAdvised}, the same rule
 * the startup validation of the annotations' settings follows.
 */
public class AnnotationAdvisingPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    public AnnotationAdvisingPostProcessor(Class<? extends Annotation> annotation, MethodInterceptor interceptor,
            int order) {
        StaticMethodMatcherPointcut pointcut = new StaticMethodMatcherPointcut() {

            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                return MethodSettings.isAdvised(AopUtils.getMostSpecificMethod(method, targetClass), targetClass,
                        annotation);
            }
        };
        this.advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        // Proxies are class-based, as Boot's spring.aop.proxy-target-class defaults to: a bean
        // injected by its class keeps working once proxied.
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(order);
    }
}
