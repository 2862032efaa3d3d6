package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.RateLimiter;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code ratelimiters} Actuator endpoint, where Actuator is present and the endpoint is
 * available (access not turned off; exposure is Actuator's own business).
 */
@AutoConfiguration(after = RateLimiterAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnAvailableEndpoint(RateLimitersEndpoint.class)
@ConditionalOnBean({ RateLimiter.class, RateLimitCatalog.class })
public final class RateLimitersEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RateLimitersEndpoint rateLimitersEndpoint(RateLimiter limiter, RateLimitCatalog catalog) {
        return new RateLimitersEndpoint(limiter, catalog);
    }
}
