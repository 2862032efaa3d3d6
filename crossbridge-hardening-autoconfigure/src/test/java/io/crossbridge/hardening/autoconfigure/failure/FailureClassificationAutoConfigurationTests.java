package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryPolicyCatalog;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.failure.FailureKind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassificationAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class, RetryAutoConfiguration.class,
                    CircuitBreakerAutoConfiguration.class));

    @Test
    void retriesAndBreakersShareTheOneClassification() {
        contextRunner.run(context -> {
            FailureClassification classification = context.getBean(FailureClassification.class);
            assertThat(context.getBean(RetryPolicyCatalog.class).get("default").classification()).isSameAs(classification);
            assertThat(context.getBean(RetryPolicyCatalog.class).get("quick").classification()).isSameAs(classification);
            assertThat(context.getBean(CircuitBreakerCatalog.class).find("default").orElseThrow().config().classification())
                    .isSameAs(classification);
            assertThat(classification.classify(new HttpServerErrorException(HttpStatus.BAD_GATEWAY))).isEqualTo(FailureKind.TRANSIENT);
        });
    }

    @Test
    void anApplicationRuleIsAskedFirstAndTheTableStays() {
        contextRunner.withBean("sdkFailures", FailureClassifier.class, SdkFailures::new).run(context -> {
            FailureClassification classification = context.getBean(FailureClassification.class);

            assertThat(classification.classify(new SdkException(true))).isEqualTo(FailureKind.TRANSIENT);
            assertThat(classification.classify(new SdkException(false))).isEqualTo(FailureKind.PERMANENT);
            assertThat(classification.classify(new ResourceAccessException("reset"))).isEqualTo(FailureKind.TRANSIENT);
            assertThat(classification.classify(new IOException())).isEqualTo(FailureKind.TRANSIENT);
            assertThat(classification.rules().get(0)).isInstanceOf(SdkFailures.class);
        });
    }

    @Test
    void applicationRulesKeepTheirOrder() {
        FailureClassifier sayTransient = failure -> failure instanceof SdkException ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
        FailureClassifier sayPermanent = failure -> failure instanceof SdkException ? FailureKind.PERMANENT : FailureKind.UNKNOWN;
        contextRunner.withBean("late", FailureClassifier.class, () -> sayTransient)
                .withBean("early", OrderedRule.class, () -> new OrderedRule(sayPermanent))
                .run(context -> assertThat(context.getBean(FailureClassification.class).classify(new SdkException(true)))
                        .isEqualTo(FailureKind.PERMANENT));
    }

    @Test
    void anApplicationClassificationReplacesOurs() {
        FailureClassification own = FailureClassification.defaults();
        contextRunner.withBean(FailureClassification.class, () -> own).run(context ->
                assertThat(context.getBean(RetryPolicyCatalog.class).get("default").classification()).isSameAs(own));
    }

    @Test
    void eachPartIsUsedOnlyWhereItsClassesAreAndTheStarterStartsWithoutAny() {
        contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.reactive", "org.springframework.ai"))
                .run(context -> assertThat(types(context.getBean(FailureClassification.class)))
                        .containsExactly(RestClientFailures.class, DataAccessFailures.class, FailureClassifier.defaults().getClass()));
        contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.client", "org.springframework.dao"))
                .run(context -> assertThat(types(context.getBean(FailureClassification.class)))
                        .containsExactly(WebClientFailures.class, SpringAiFailures.class, FailureClassifier.defaults().getClass()));
        contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.client", "org.springframework.web.reactive",
                "org.springframework.dao", "org.springframework.ai")).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(types(context.getBean(FailureClassification.class)))
                            .containsExactly(FailureClassifier.defaults().getClass());
                });
    }

    @Test
    void everyAutoConfigurationOfTheStarterStartsWithoutAnyClientClasses() throws IOException {
        List<String> imports;
        try (var in = getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            imports = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
        Class<?>[] all = imports.stream().map(name -> org.springframework.util.ClassUtils.resolveClassName(name, null))
                .toArray(Class<?>[]::new);
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(all))
                .withClassLoader(new FilteredClassLoader("org.springframework.web.client", "org.springframework.web.reactive",
                        "org.springframework.dao", "org.springframework.ai"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(types(context.getBean(FailureClassification.class)))
                            .containsExactly(FailureClassifier.defaults().getClass());
                });
    }

    @Test
    void aSliceWithoutTheClassificationsAutoConfigurationStillHearsTheApplicationsRules() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
                .withBean("sdkFailures", FailureClassifier.class, SdkFailures::new)
                .run(context -> assertThat(context.getBean(RetryPolicyCatalog.class).get("default")
                        .classify(new SdkException(true))).isEqualTo(FailureKind.TRANSIENT));
    }

    @Test
    void dataAccessFailuresAreJudgedByTheirTranslation() {
        FailureClassification classification = FailureClassification.of(List.of(DataAccessFailures.INSTANCE));

        assertThat(classification.classify(new QueryTimeoutException("slow"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(classification.classify(new PessimisticLockingFailureException("locked"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(classification.classify(new RecoverableDataAccessException("recovered"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(classification.classify(new DataIntegrityViolationException("duplicate"))).isEqualTo(FailureKind.UNKNOWN);
        assertThat(classification.classify(new DataAccessResourceFailureException("down", new java.net.ConnectException())))
                .as("left to its cause").isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void springAiFailuresAreJudgedByTheirType() {
        FailureClassification classification = FailureClassification.of(List.of(SpringAiFailures.INSTANCE));

        assertThat(classification.classify(new TransientAiException("500 - overloaded"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(classification.classify(new NonTransientAiException("401 - bad key"))).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void retryAfterIsReadFromAnyErrorResponseAndTheClassificationDecidesWhetherItMatters() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        WebClientFailures rules = new WebClientFailures(Clock.fixed(now, ZoneOffset.UTC));
        HttpHeaders headers = new HttpHeaders();
        headers.add("Retry-After", "Tue, 01 Dec 2026 10:00:02 GMT");

        assertThat(rules.retryAfter(WebClientResponseException.create(503, "unavailable", headers, new byte[0],
                StandardCharsets.UTF_8))).contains(Duration.ofSeconds(2));
        assertThat(rules.retryAfter(WebClientResponseException.create(409, "conflict", headers, new byte[0],
                StandardCharsets.UTF_8))).as("for an application that calls a 409 transient").contains(Duration.ofSeconds(2));
        assertThat(rules.retryAfter(WebClientResponseException.create(503, "unavailable", new HttpHeaders(), new byte[0],
                StandardCharsets.UTF_8))).isEmpty();
    }

    private static List<Class<?>> types(FailureClassification classification) {
        return classification.rules().stream().<Class<?>>map(Object::getClass).toList();
    }

    static final class SdkException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final boolean retryable;

        SdkException(boolean retryable) {
            this.retryable = retryable;
        }
    }

    static final class SdkFailures implements FailureClassifier {

        @Override
        public FailureKind classify(Throwable failure) {
            if (failure instanceof SdkException sdk) {
                return sdk.retryable ? FailureKind.TRANSIENT : FailureKind.PERMANENT;
            }
            return FailureKind.UNKNOWN;
        }

        @Override
        public Optional<Duration> retryAfter(Throwable failure) {
            return Optional.empty();
        }
    }

    @Order(-1)
    static final class OrderedRule implements FailureClassifier {

        private final FailureClassifier rule;

        OrderedRule(FailureClassifier rule) {
            this.rule = rule;
        }

        @Override
        public FailureKind classify(Throwable failure) {
            return rule.classify(failure);
        }
    }
}
