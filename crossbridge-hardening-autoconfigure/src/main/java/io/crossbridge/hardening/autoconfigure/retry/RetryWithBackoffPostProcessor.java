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

    private final transient RetryBudget budget;

    private RetryWithBackoffPostProcessor(ScheduledThreadPoolExecutor scheduler, RetryWithBackoffPolicies policies,
            ObjectProvider<RetryObserver> observer, int order, RetryBudget budget) {
        super(RetryWithBackoff.class,
                new RetryWithBackoffInterceptor(policies, Retry.builder().budget(budget).build(), scheduler, observer), order);
        this.scheduler = scheduler;
        this.budget = budget;
    }

    /** The retry budget every annotated method shares, or null without {@code retry.budget.ratio}. */
    RetryBudget budget() {
        return budget;
    }

    static RetryWithBackoffPostProcessor create(RetryWithBackoffPolicies policies, ObjectProvider<RetryObserver> observer,
            int order, RetryBudget budget) {
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "crossbridge-retry-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Not setRemoveOnCancelPolicy(true): an attempt's timeout is cancelled where the attempt
        // ends, often on Reactor's non-blocking threads, and removing it takes the queue's lock,
        // which parks when contended. A cancelled timeout stays queued until it would have fired.
        scheduler.setRemoveOnCancelPolicy(false);
        return new RetryWithBackoffPostProcessor(scheduler, policies, observer, order, budget);
    }

    @Override
    public void destroy() {
        // Not shutdownNow, which drops the backoffs and timeouts under way: their callers would
        // wait for ever. Retries under way run to their end, on a daemon thread.
        scheduler.shutdown();
    }
}
