package io.crossbridge.hardening.autoconfigure.concurrency;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code concurrency} Actuator endpoint, where Actuator is present and the endpoint is
 * available (access not turned off; exposure is Actuator's own business).
 */
@AutoConfiguration(after = ConcurrencyLimitAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnAvailableEndpoint(ConcurrencyEndpoint.class)
@ConditionalOnBean(ConcurrencyLimitCatalog.class)
public final class ConcurrencyEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ConcurrencyEndpoint concurrencyEndpoint(ConcurrencyLimitCatalog catalog) {
        return new ConcurrencyEndpoint(catalog);
    }
}
