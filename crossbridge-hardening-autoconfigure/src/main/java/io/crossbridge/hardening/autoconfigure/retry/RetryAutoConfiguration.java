package io.crossbridge.hardening.autoconfigure.retry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of retries: the catalog of named retry policies.
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
}
