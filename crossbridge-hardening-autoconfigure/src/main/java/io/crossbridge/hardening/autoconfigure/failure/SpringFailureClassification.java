package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.springframework.util.ClassUtils;

/**
 * Builds the classification of a Spring application: its own rules first, then the rules for
 * Spring's clients whose classes are on the class path ({@code RestClient} / {@code RestTemplate},
 * {@code WebClient}, data access, Spring AI), then the core's table.
 */
public final class SpringFailureClassification {

    private SpringFailureClassification() {
    }

    /**
     * @param applicationRules the application's {@link FailureClassifier} beans, in their order
     * @param classLoader      the class loader whose classes decide which client rules apply
     */
    public static FailureClassification of(List<FailureClassifier> applicationRules, ClassLoader classLoader) {
        List<FailureClassifier> all = new ArrayList<>(applicationRules);
        all.addAll(clientRules(classLoader, Clock.systemUTC()));
        return FailureClassification.of(all);
    }

    /** The rules for Spring's clients whose classes {@code classLoader} has. */
    static List<FailureClassifier> clientRules(ClassLoader classLoader, Clock clock) {
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
