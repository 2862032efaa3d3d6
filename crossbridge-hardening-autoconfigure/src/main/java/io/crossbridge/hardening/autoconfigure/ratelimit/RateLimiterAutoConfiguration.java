package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of rate limiting: the catalog of named limits and the {@link RateLimiter},
 * in memory unless the application defines its own.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.rate-limit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimiterAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RateLimitCatalog rateLimitCatalog(RateLimitProperties properties) {
        return RateLimitCatalog.of(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    RateLimiter rateLimiter(RateLimitProperties properties) {
        if (properties.getMaxKeys() < 1) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.max-keys", properties.getMaxKeys(),
                    "It must be at least 1.");
        }
        return InMemoryRateLimiter.builder().maxKeys(properties.getMaxKeys()).build();
    }
}
