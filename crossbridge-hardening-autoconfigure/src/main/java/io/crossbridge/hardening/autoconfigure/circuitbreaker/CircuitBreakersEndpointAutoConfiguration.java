package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code circuitbreakers} Actuator endpoint, where Actuator is present and the endpoint is
 * available (access not turned off; exposure is Actuator's own business).
 */
@AutoConfiguration(after = CircuitBreakerAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnAvailableEndpoint(CircuitBreakersEndpoint.class)
@ConditionalOnBean(CircuitBreakerCatalog.class)
public final class CircuitBreakersEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    CircuitBreakersEndpoint circuitBreakersEndpoint(CircuitBreakerCatalog catalog) {
        return new CircuitBreakersEndpoint(catalog);
    }
}
