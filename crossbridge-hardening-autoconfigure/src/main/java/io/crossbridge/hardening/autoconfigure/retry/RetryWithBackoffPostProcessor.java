package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryBudget;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Proxies every bean with a {@link RetryWithBackoff} method or class, as Spring's own
 * {@code @Async} support does: one advisor, no dependency on an auto-proxy creator, at the
 * position {@link io.crossbridge.hardening.autoconfigure.AdviceOrder} gives it. Owns the
 * small scheduler on which asynchronous methods wait between attempts; its daemon thread starts
 * at the first such wait and stops with the context.
 */
final class RetryWithBackoffPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements DisposableBean {


    private static final long serialVersionUID = 1L;

    private final transient ScheduledThreadPoolExecutor scheduler;

    RetryWithBackoffPostProcessor(RetryWithBackoffPolicies policies, ObjectProvider<RetryObserver> observer,
            int order, RetryBudget budget) {
        AtomicInteger threads = new AtomicInteger();
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "crossbridge-retry-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(RetryWithBackoff.class, true))
                .union(new AnnotationMatchingPointcut(null, RetryWithBackoff.class, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut,
                new RetryWithBackoffInterceptor(policies, Retry.builder().budget(budget).build(), scheduler, observer));
        // Method annotations count on interfaces and overridden methods too (checkInherited), and
        // proxies are class-based, as Boot's spring.aop.proxy-target-class defaults to: a bean
        // injected by its class keeps working once proxied.
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        setOrder(order);
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
