package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The one {@link FailureClassification} of the application, which retries, circuit breakers and
 * fallbacks judge failures by: the application's own {@link FailureClassifier} beans first (in
 * their {@code @Order}), then what Spring's clients throw, each part only where its classes are on
 * the class path ({@code RestClient} / {@code RestTemplate}, {@code WebClient}, data access,
 * Spring AI), then the core's table. A rule for a provider SDK's exceptions is one
 * {@code FailureClassifier} bean; the table stays. Programmatic {@code Retry} and
 * {@code CircuitBreaker} users inject this bean, or take their policies from the catalogs, which
 * carry it.
 */
@AutoConfiguration(beforeName = { "io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration",
        "io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration" })
public final class FailureClassificationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    FailureClassification failureClassification(ObjectProvider<FailureClassifier> rules,
            ConfigurableListableBeanFactory beanFactory) {
        return SpringFailureClassification.of(rules.orderedStream().toList(), beanFactory.getBeanClassLoader());
    }
}
