package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.AnnotationAdvisingPostProcessor;
import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryBudget;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Proxies every bean with a {@link RetryWithBackoff} method or class, and owns the small
 * scheduler on which asynchronous methods wait between attempts; its daemon thread starts at the
 * first such wait and stops with the context.
 */
final class RetryWithBackoffPostProcessor extends AnnotationAdvisingPostProcessor implements DisposableBean {

    private static final long serialVersionUID = 1L;

    private final transient ScheduledThreadPoolExecutor scheduler;

    private RetryWithBackoffPostProcessor(ScheduledThreadPoolExecutor scheduler, RetryWithBackoffPolicies policies,
            ObjectProvider<RetryObserver> observer, int order, RetryBudget budget) {
        super(RetryWithBackoff.class,
                new RetryWithBackoffInterceptor(policies, Retry.builder().budget(budget).build(), scheduler, observer), order);
        this.scheduler = scheduler;
    }

    static RetryWithBackoffPostProcessor create(RetryWithBackoffPolicies policies, ObjectProvider<RetryObserver> observer,
            int order, RetryBudget budget) {
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "crossbridge-retry-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // An attempt's timeout, cancelled when the attempt ends first, leaves the queue then
        // rather than holding the attempt's future for its whole timeout.
        scheduler.setRemoveOnCancelPolicy(true);
        return new RetryWithBackoffPostProcessor(scheduler, policies, observer, order, budget);
    }

    @Override
    public void destroy() {
        // Not shutdownNow, which drops the backoffs and timeouts under way: their callers would
        // wait for ever. Retries under way run to their end, on a daemon thread.
        scheduler.shutdown();
    }
}
