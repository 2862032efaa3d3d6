package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.AdviceOrder;
import io.crossbridge.hardening.autoconfigure.AnnotatedMethodValidator;
import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.failure.SpringFailureClassification;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.retry.RetryBudget;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of retries: the catalog of named retry policies, and the proxies that apply
 * {@code @RetryWithBackoff}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.retry.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RetryProperties.class)
public final class RetryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RetryPolicyCatalog retryPolicyCatalog(RetryProperties properties, ObjectProvider<FailureClassification> classification,
            ObjectProvider<FailureClassifier> rules, ConfigurableListableBeanFactory beanFactory) {
        // Without the classification's auto-configuration (a slice test), the same one is made here.
        return RetryPolicyCatalog.of(properties, classification.getIfAvailable(() -> SpringFailureClassification
                .of(rules.orderedStream().toList(), beanFactory.getBeanClassLoader())));
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static RetryWithBackoffPolicies retryWithBackoffPolicies(ObjectProvider<RetryPolicyCatalog> catalog,
            ObjectProvider<RetryRecorder.Factory> recorders) {
        return new RetryWithBackoffPolicies(catalog, recorders);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static RetryWithBackoffPostProcessor retryWithBackoffPostProcessor(Environment environment,
            RetryWithBackoffPolicies policies, ObjectProvider<RetryObserver> observer) {
        return RetryWithBackoffPostProcessor.create(policies, observer,
                AdviceOrder.postProcessorOrder(environment, "crossbridge.hardening.retry.order", AdviceOrder.RETRY),
                budget(environment));
    }

    /**
     * The shared retry budget, or {@code null} without {@code budget.ratio}. Read from the
     * environment because the post-processor is created before property beans.
     */
    private static RetryBudget budget(Environment environment) {
        Binder binder = Binder.get(environment);
        Double ratio = binder.bind("crossbridge.hardening.retry.budget.ratio", Double.class).orElse(null);
        if (ratio == null) {
            return null;
        }
        int floor = binder.bind("crossbridge.hardening.retry.budget.min-retries-per-second", Integer.class).orElse(10);
        if (!(ratio >= 0) || ratio > 100) {
            throw new InvalidPropertyException("crossbridge.hardening.retry.budget.ratio", ratio,
                    "It must be from 0 to 100 retries per first attempt, such as 0.2.");
        }
        if (floor < 0) {
            throw new InvalidPropertyException("crossbridge.hardening.retry.budget.min-retries-per-second", floor,
                    "It must be at least 0.");
        }
        return RetryBudget.of(ratio, floor);
    }

    @Bean
    static AnnotatedMethodValidator retryWithBackoffValidator(ConfigurableListableBeanFactory beanFactory,
            RetryWithBackoffPolicies policies) {
        return new AnnotatedMethodValidator(beanFactory, RetryWithBackoff.class, policies::methodFor);
    }

    @Bean
    @ConditionalOnClass(name = "org.springframework.ai.retry.autoconfigure.SpringAiRetryAutoConfiguration")
    static SpringAiRetryWarning springAiRetryWarning(ConfigurableListableBeanFactory beanFactory, Environment environment,
            RetryWithBackoffPolicies policies) {
        return new SpringAiRetryWarning(beanFactory, environment, policies);
    }

    /**
     * Each retried call as an observation, where Micrometer's observation API and a registry exist.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
    static class RetryObservationConfiguration {

        @Bean
        @ConditionalOnBean(type = "io.micrometer.observation.ObservationRegistry")
        @ConditionalOnMissingBean
        RetryObserver micrometerRetryObserver(ObservationRegistry registry) {
            return new MicrometerRetryObserver(registry);
        }
    }

    /**
     * Retry meters, where Micrometer and a registry exist. Never tagged with a key or argument.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class RetryMetricsConfiguration {

        @Bean
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        @ConditionalOnMissingBean
        RetryRecorder.Factory micrometerRetryRecorders(MeterRegistry registry) {
            return new MicrometerRetryRecorders(registry);
        }

        /**
         * {@code crossbridge.retry.budget.retries} {outcome = granted | refused}: what the shared
         * retry budget did with the retries asked of it, where there is one.
         */
        @Bean
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        @ConditionalOnMissingBean(name = "retryBudgetMeters")
        MeterBinder retryBudgetMeters(ObjectProvider<RetryWithBackoffPostProcessor> postProcessor) {
            return registry -> {
                RetryWithBackoffPostProcessor retries = postProcessor.getIfAvailable();
                RetryBudget budget = retries != null ? retries.budget() : null;
                if (budget != null) {
                    FunctionCounter.builder("crossbridge.retry.budget.retries", budget, RetryBudget::retriesGranted)
                            .description("Retries the shared retry budget let through, or refused")
                            .tag("outcome", "granted").register(registry);
                    FunctionCounter.builder("crossbridge.retry.budget.retries", budget, RetryBudget::retriesRefused)
                            .description("Retries the shared retry budget let through, or refused")
                            .tag("outcome", "refused").register(registry);
                }
            };
        }
    }
}
