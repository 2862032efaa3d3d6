package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link RateLimiter}: the in-memory store unless the application
 * defines its own.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.rate-limit.enabled", matchIfMissing = true)
public final class RateLimiterAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RateLimiter rateLimiter() {
        return new InMemoryRateLimiter();
    }
}
