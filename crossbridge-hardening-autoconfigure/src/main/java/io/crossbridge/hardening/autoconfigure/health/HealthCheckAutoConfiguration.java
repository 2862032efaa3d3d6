package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthListener;
import io.crossbridge.hardening.health.HealthRegistry;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of health checks: the {@link HealthRegistry} that runs every
 * {@link HealthCheck} bean on a schedule, and, with Actuator, one health indicator per check
 * inside a {@code crossbridge} composite. Ordered after the auto-configurations that contribute
 * checks of their own (the Redis store's, the circuit breakers'), so that the composite's
 * condition sees them.
 */
@AutoConfiguration(after = { RateLimiterAutoConfiguration.class, CircuitBreakerAutoConfiguration.class },
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.health.enabled", matchIfMissing = true)
@EnableConfigurationProperties(HealthProperties.class)
public final class HealthCheckAutoConfiguration {

    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    @Bean
    @ConditionalOnMissingBean
    HealthRegistry healthRegistry(HealthProperties properties, ObjectProvider<HealthListener> listeners) {
        Duration timeout = properties.getTimeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidPropertyException("crossbridge.hardening.health.timeout", timeout,
                    "It must be more than 0 and at most 1h.");
        }
        if (properties.getFailureThreshold() < 1) {
            throw new InvalidPropertyException("crossbridge.hardening.health.failure-threshold",
                    properties.getFailureThreshold(), "It must be at least 1.");
        }
        if (properties.getThreads() < 1 || properties.getThreads() > 64) {
            throw new InvalidPropertyException("crossbridge.hardening.health.threads", properties.getThreads(),
                    "It must be from 1 to 64.");
        }
        return HealthRegistry.builder().timeout(timeout).failureThreshold(properties.getFailureThreshold())
                .threads(properties.getThreads()).listener(new HealthListeners(listeners.orderedStream().toList()))
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    HealthMonitoring healthMonitoring(ListableBeanFactory beanFactory, HealthRegistry registry,
            HealthProperties properties) {
        Duration interval = properties.getInterval();
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new InvalidPropertyException("crossbridge.hardening.health.interval", interval,
                    "It must be more than 0, such as 30s.");
        }
        return new HealthMonitoring(beanFactory, registry, interval);
    }

    @Bean
    @ConditionalOnMissingBean(name = "healthStatusLogger")
    HealthListener healthStatusLogger() {
        return new HealthStatusLogger();
    }

    /**
     * A {@code crossbridge.health.check} timer per check and status, where Micrometer and a
     * registry exist.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class HealthMetricsConfiguration {

        @Bean
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        @ConditionalOnMissingBean(name = "healthCheckMeters")
        HealthListener healthCheckMeters(MeterRegistry registry) {
            return new HealthCheckMeters(registry);
        }
    }

    /**
     * Every check in {@code /actuator/health}, under its bean name inside a {@code crossbridge}
     * composite (a composite even for one check, so the layout does not change as checks are
     * added); switched off with {@code management.health.crossbridge.enabled=false}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("crossbridge")
    static class HealthIndicatorConfiguration {

        @Bean
        @ConditionalOnBean(HealthCheck.class)
        @ConditionalOnMissingBean(name = "crossbridgeHealthContributor")
        HealthContributor crossbridgeHealthContributor(HealthRegistry registry, Map<String, HealthCheck> checks) {
            Map<String, HealthContributor> indicators = new LinkedHashMap<>();
            checks.keySet().stream().sorted().forEach(name -> indicators.put(name, new HealthCheckIndicator(registry, name)));
            return CompositeHealthContributor.fromMap(indicators);
        }
    }
}
