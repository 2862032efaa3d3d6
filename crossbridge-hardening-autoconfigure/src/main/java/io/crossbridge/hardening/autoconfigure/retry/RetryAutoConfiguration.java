package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.autoconfigure.AnnotatedMethodValidator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * Auto-configuration of retries: the catalog of named retry policies, and the proxies that apply
 * {@code @RetryWithBackoff}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.retry.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RetryProperties.class)
public final class RetryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RetryPolicyCatalog retryPolicyCatalog(RetryProperties properties) {
        return RetryPolicyCatalog.of(properties);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static RetryWithBackoffPolicies retryWithBackoffPolicies(ObjectProvider<RetryPolicyCatalog> catalog) {
        return new RetryWithBackoffPolicies(catalog);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static RetryWithBackoffPostProcessor retryWithBackoffPostProcessor(RetryWithBackoffPolicies policies) {
        return new RetryWithBackoffPostProcessor(policies);
    }

    @Bean
    static AnnotatedMethodValidator retryWithBackoffValidator(ConfigurableListableBeanFactory beanFactory,
            RetryWithBackoffPolicies policies) {
        return new AnnotatedMethodValidator(beanFactory,
                (method, type) -> RetryWithBackoffPolicies.annotationOf(method, type) != null, policies::policyFor);
    }
}
