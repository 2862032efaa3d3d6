package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.core.Ordered;

/**
 * Proxies every bean with a {@link RateLimited} method or class. It runs after the retry
 * post-processor and puts its advisor first, so the rate limit wraps the retry.
 */
final class RateLimitedPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    /** The order of this post-processor: after the retry one, whose advisor it then wraps. */
    static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

    private static final long serialVersionUID = 1L;

    RateLimitedPostProcessor(RateLimitedInterceptor interceptor) {
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(RateLimited.class, true))
                .union(new AnnotationMatchingPointcut(null, RateLimited.class, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        // Method annotations count on interfaces and overridden methods too (checkInherited), and
        // proxies are class-based, as Boot's spring.aop.proxy-target-class defaults to: a bean
        // injected by its class keeps working once proxied.
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(ORDER);
    }
}
