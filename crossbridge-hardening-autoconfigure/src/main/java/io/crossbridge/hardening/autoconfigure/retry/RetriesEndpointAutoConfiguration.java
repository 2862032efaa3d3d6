package io.crossbridge.hardening.autoconfigure.retry;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code retries} Actuator endpoint, where Actuator and Micrometer are present and the
 * endpoint is available (access not turned off; exposure is Actuator's own business).
 */
@AutoConfiguration(after = RetryAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint",
        "io.micrometer.core.instrument.MeterRegistry" })
@ConditionalOnAvailableEndpoint(RetriesEndpoint.class)
@ConditionalOnBean(RetryPolicyCatalog.class)
public final class RetriesEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RetriesEndpoint retriesEndpoint(RetryPolicyCatalog catalog, ObjectProvider<MeterRegistry> meterRegistry) {
        return new RetriesEndpoint(catalog, meterRegistry);
    }
}
