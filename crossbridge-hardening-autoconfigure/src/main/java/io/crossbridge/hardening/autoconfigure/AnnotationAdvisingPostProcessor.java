package io.crossbridge.hardening.autoconfigure;

import java.lang.annotation.Annotation;

import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Proxies every bean with a method or class carrying {@code annotation} and puts
 * {@code interceptor} on it, as Spring's own {@code @Async} support does: one advisor, no
 * dependency on an auto-proxy creator. Each post-processor puts its advisor in front of those
 * already on a proxy; {@link AdviceOrder} turns the configured positions into post-processor
 * orders accordingly.
 */
public class AnnotationAdvisingPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    public AnnotationAdvisingPostProcessor(Class<? extends Annotation> annotation, MethodInterceptor interceptor,
            int order) {
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(annotation, true))
                .union(new AnnotationMatchingPointcut(null, annotation, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        // Method annotations count on interfaces and overridden methods too (checkInherited), and
        // proxies are class-based, as Boot's spring.aop.proxy-target-class defaults to: a bean
        // injected by its class keeps working once proxied.
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(order);
    }
}
