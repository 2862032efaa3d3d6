package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.failure.FailureClassificationAutoConfiguration;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureKind;
import io.crossbridge.hardening.retry.Jitter;
import io.crossbridge.hardening.retry.RetryPolicy;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

class RetryAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class, RetryAutoConfiguration.class));

    @Test
    void aRetryBudgetCountsTheRetriesItGrantsAndRefusesAsMeters() {
        this.contextRunner.withBean(SimpleMeterRegistry.class)
                .withPropertyValues("crossbridge.hardening.retry.budget.ratio=0",
                        "crossbridge.hardening.retry.budget.min-retries-per-second=1",
                        "crossbridge.hardening.retry.policies.fast.max-attempts=4",
                        "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
                        "crossbridge.hardening.retry.policies.fast.max-delay=0ms")
                .withUserConfiguration(FailingService.Configuration.class).run(context -> {
                    SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
                    context.getBean("retryBudgetMeters", MeterBinder.class).bindTo(registry);

                    assertThatException().isThrownBy(() -> context.getBean(FailingService.class).call());

                    // The first retry from the floor's one a second; the second refused, which ends the call.
                    assertThat(registry.get("crossbridge.retry.budget.retries").tag("outcome", "granted")
                            .functionCounter().count()).isEqualTo(1);
                    assertThat(registry.get("crossbridge.retry.budget.retries").tag("outcome", "refused")
                            .functionCounter().count()).isEqualTo(1);
                });
    }

    @Test
    void withoutARetryBudgetThereAreNoBudgetMeters() {
        this.contextRunner.withBean(SimpleMeterRegistry.class).run(context -> {
            SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
            context.getBean("retryBudgetMeters", MeterBinder.class).bindTo(registry);

            assertThat(registry.find("crossbridge.retry.budget.retries").meters()).isEmpty();
        });
    }

    static class FailingService {

        @RetryWithBackoff(policy = "fast")
        public String call() throws IOException {
            throw new IOException("provider unreachable");
        }

        @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
        static class Configuration {

            @org.springframework.context.annotation.Bean
            FailingService failingService() {
                return new FailingService();
            }
        }
    }

    @Test
    void runShouldProvideTheBuiltInPolicies() {
        this.contextRunner.run(context -> {
            RetryPolicyCatalog catalog = context.getBean(RetryPolicyCatalog.class);
            assertThat(catalog.names()).containsExactlyInAnyOrder("aggressive", "conservative", "quick", "default");
            FailureClassification classification = context.getBean(FailureClassification.class);
            assertThat(catalog.get("aggressive")).isEqualTo(RetryPolicy.AGGRESSIVE.withClassification(classification));
            assertThat(catalog.get("default")).isEqualTo(RetryPolicy.DEFAULT.withClassification(classification));
        });
    }

    @Test
    void runWithNewPolicyShouldStartFromTheDefaultPolicy() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.embed.max-attempts=4",
                "crossbridge.hardening.retry.policies.embed.base-delay=500ms",
                "crossbridge.hardening.retry.policies.embed.max-delay=5s",
                "crossbridge.hardening.retry.policies.embed.jitter=full",
                "crossbridge.hardening.retry.policies.embed.max-elapsed=PT30S",
                "crossbridge.hardening.retry.policies.embed.abort-on=java.util.concurrent.TimeoutException")
                .run(context -> {
                    RetryPolicy embed = context.getBean(RetryPolicyCatalog.class).get("embed");
                    assertThat(embed).extracting(RetryPolicy::maxAttempts, RetryPolicy::baseDelay, RetryPolicy::maxDelay,
                            RetryPolicy::jitter, RetryPolicy::maxElapsed, RetryPolicy::multiplier)
                            .containsExactly(4, Duration.ofMillis(500), Duration.ofSeconds(5), Jitter.FULL,
                                    Duration.ofSeconds(30), 2.0);
                    assertThat(embed.classify(new TimeoutException())).isEqualTo(FailureKind.PERMANENT);
                });
    }

    @Test
    void runWithOverrideOfABuiltInPolicyShouldKeepWhatItDoesNotSet() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.aggressive.max-attempts=7",
                "crossbridge.hardening.retry.policies.aggressive.jitter=decorrelated").run(context -> {
                    RetryPolicy aggressive = context.getBean(RetryPolicyCatalog.class).get("aggressive");
                    assertThat(aggressive).isEqualTo(RetryPolicy.AGGRESSIVE.withMaxAttempts(7).withJitter(Jitter.DECORRELATED)
                            .withClassification(context.getBean(FailureClassification.class)));
                });
    }

    @Test
    void runWithZeroMaxAttemptsShouldFailNamingTheProperty() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.embed.max-attempts=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("Invalid value for 'crossbridge.hardening.retry.policies.embed.max-attempts': 0. "
                                + "MaxAttempts must be from 1 to 100, was 0."));
    }

    @Test
    void runWithBaseDelayAboveMaxDelayShouldFailNamingMaxDelay() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.embed.base-delay=10s",
                "crossbridge.hardening.retry.policies.embed.max-delay=1s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageStartingWith("Invalid value for 'crossbridge.hardening.retry.policies.embed.max-delay': PT1S."));
    }

    @Test
    void runWithBaseDelayAboveTheInheritedMaxDelayShouldFailNamingBaseDelay() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.quick.base-delay=10s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageStartingWith("Invalid value for 'crossbridge.hardening.retry.policies.quick.base-delay': PT10S."));
    }

    @Test
    void runWithUnknownJitterShouldFailNamingTheProperty() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.embed.jitter=jittery")
                .run(context -> {
                    assertThat(context).hasFailed();
                    // Boot's own binding failure, which its failure analyzer reports with the valid values.
                    Throwable failure = context.getStartupFailure();
                    while (failure != null && !(failure instanceof BindException)) {
                        failure = failure.getCause();
                    }
                    assertThat(failure).isInstanceOf(BindException.class);
                    assertThat(((BindException) failure).getProperty().getName())
                            .hasToString("crossbridge.hardening.retry.policies.embed.jitter");
                    assertThat(((BindException) failure).getProperty().getValue()).isEqualTo("jittery");
                });
    }

    @Test
    void runWhenDisabledShouldNotCreateTheCatalog() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(RetryPolicyCatalog.class));
    }
}
