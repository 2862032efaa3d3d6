package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Proxies every bean with a {@link RateLimited} method or class, at the position
 * {@link io.crossbridge.hardening.autoconfigure.AdviceOrder} gives it.
 */
final class RateLimitedPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {


    private static final long serialVersionUID = 1L;

    RateLimitedPostProcessor(RateLimitedInterceptor interceptor, int order) {
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(RateLimited.class, true))
                .union(new AnnotationMatchingPointcut(null, RateLimited.class, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        // Method annotations count on interfaces and overridden methods too (checkInherited), and
        // proxies are class-based, as Boot's spring.aop.proxy-target-class defaults to: a bean
        // injected by its class keeps working once proxied.
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(order);
    }
}
