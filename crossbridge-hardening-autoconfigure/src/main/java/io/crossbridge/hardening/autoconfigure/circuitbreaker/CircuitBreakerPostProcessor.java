package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.annotation.CircuitBreaker;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Proxies every bean with a {@link CircuitBreaker} method or class, at the position
 * {@link io.crossbridge.hardening.autoconfigure.AdviceOrder} gives it.
 */
final class CircuitBreakerPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    CircuitBreakerPostProcessor(CircuitBreakerInterceptor interceptor, int order) {
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(CircuitBreaker.class, true))
                .union(new AnnotationMatchingPointcut(null, CircuitBreaker.class, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(order);
    }
}
