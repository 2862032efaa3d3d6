package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

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
        List<FailureClassifier> all = new ArrayList<>(rules.orderedStream().toList());
        all.addAll(springClientRules(beanFactory.getBeanClassLoader(), Clock.systemUTC()));
        return FailureClassification.of(all);
    }

    /**
     * The classification without application rules, for a retry or breaker configuration used
     * without this one.
     */
    public static FailureClassification standard(ClassLoader classLoader) {
        return FailureClassification.of(springClientRules(classLoader, Clock.systemUTC()));
    }

    /** The rules for Spring's clients whose classes {@code classLoader} has. */
    static List<FailureClassifier> springClientRules(ClassLoader classLoader, Clock clock) {
        List<FailureClassifier> rules = new ArrayList<>(4);
        if (ClassUtils.isPresent("org.springframework.web.client.RestClientResponseException", classLoader)) {
            rules.add(new RestClientFailures(clock));
        }
        if (ClassUtils.isPresent("org.springframework.web.reactive.function.client.WebClientResponseException", classLoader)) {
            rules.add(new WebClientFailures(clock));
        }
        if (ClassUtils.isPresent("org.springframework.dao.TransientDataAccessException", classLoader)) {
            rules.add(DataAccessFailures.INSTANCE);
        }
        if (ClassUtils.isPresent("org.springframework.ai.retry.TransientAiException", classLoader)) {
            rules.add(SpringAiFailures.INSTANCE);
        }
        return rules;
    }
}
