package io.crossbridge.hardening.autoconfigure.retry;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.env.Environment;
import org.springframework.core.retry.RetryTemplate;

/**
 * Warns once at startup when Spring AI's own retry and {@code @RetryWithBackoff} would both retry
 * a model call: Spring AI's {@code RetryTemplate} retries inside the model client
 * ({@code spring.ai.retry.max-attempts}, 10 by default, which Spring AI 2.0 reads as retries), so
 * under a 3-attempt policy one failing call is sent 33 times. Whether a given annotated method
 * calls a model cannot be seen cheaply, so this warns when both exist at all.
 */
final class SpringAiRetryWarning implements ApplicationListener<ContextRefreshedEvent> {

    private static final Log logger = LogFactory.getLog(SpringAiRetryWarning.class);

    private final ConfigurableListableBeanFactory beanFactory;

    private final Environment environment;

    private final RetryWithBackoffPolicies policies;

    private volatile boolean warned;

    SpringAiRetryWarning(ConfigurableListableBeanFactory beanFactory, Environment environment,
            RetryWithBackoffPolicies policies) {
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.policies = policies;
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        if (warned || event.getApplicationContext().getAutowireCapableBeanFactory() != beanFactory) {
            return;
        }
        warned = true;
        int springAiRetries = environment.getProperty("spring.ai.retry.max-attempts", Integer.class, 10);
        if (springAiRetries > 0 && policies.methodCount() > 0 && hasSpringAiRetryTemplate()) {
            logger.warn("Spring AI retries model calls itself (spring.ai.retry.max-attempts=" + springAiRetries
                    + "), and " + policies.methodCount() + " @RetryWithBackoff method(s) retry too: attempts multiply "
                    + "on a model call made under both. Set spring.ai.retry.max-attempts: 0 to let @RetryWithBackoff "
                    + "alone retry (see the README, \"Spring AI\").");
        }
    }

    private boolean hasSpringAiRetryTemplate() {
        // The bean Spring AI's retry auto-configuration defines.
        return beanFactory.containsBean("retryTemplate") && beanFactory.isTypeMatch("retryTemplate", RetryTemplate.class);
    }
}
