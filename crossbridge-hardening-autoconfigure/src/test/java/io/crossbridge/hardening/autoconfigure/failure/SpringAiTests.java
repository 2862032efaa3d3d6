package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.failure.ScriptedProvider.Step;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.RetryUtils;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.ai.retry.autoconfigure.SpringAiRetryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Spring AI 2.0: a model client's failures as Spring AI's error handler turns them into its own
 * exceptions, from a real provider on a loopback port; and the warning when Spring AI's retry
 * would multiply ours.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringAiTests {

    private static final String WARNING = "Spring AI retries model calls itself";

    @RegisterExtension
    static final ScriptedProvider provider = new ScriptedProvider();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class, RetryAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.policies.model.max-attempts=3",
                    "crossbridge.hardening.retry.policies.model.base-delay=1ms",
                    "crossbridge.hardening.retry.policies.model.max-delay=1ms")
            .withUserConfiguration(ModelConfiguration.class);

    @Test
    void aTransientAiExceptionIsRetried() {
        contextRunner.run(context -> {
            provider.script(Step.status(500), Step.status(503), Step.ok());

            assertThat(context.getBean(Model.class).call()).isEqualTo("answer");
            assertThat(provider.requests()).isEqualTo(3);
        });
    }

    @Test
    void springAiCallsA501TransientWhereTheTableWouldNot() {
        contextRunner.run(context -> {
            provider.script(Step.status(501));

            assertThatExceptionOfType(TransientAiException.class).isThrownBy(context.getBean(Model.class)::call);
            assertThat(provider.requests()).as("Spring AI's judgement wins for its own exceptions").isEqualTo(3);
        });
    }

    @Test
    void aNonTransientAiExceptionIsNot() {
        contextRunner.run(context -> {
            provider.script(Step.status(401));

            assertThatExceptionOfType(NonTransientAiException.class).isThrownBy(context.getBean(Model.class)::call);
            assertThat(provider.requests()).isEqualTo(1);
        });
    }

    @Test
    void springAiMakesA429NonTransientUnlessToldOtherwise() {
        contextRunner.run(context -> {
            provider.script(Step.status(429, "Retry-After", "1"));

            assertThatExceptionOfType(NonTransientAiException.class).isThrownBy(context.getBean(Model.class)::call);
            assertThat(provider.requests()).as("Spring AI's default handler; see the README for on-http-codes").isEqualTo(1);
        });
    }

    @Test
    void bothRetriesAtOnceAreWarnedAboutOnce(CapturedOutput output) {
        contextRunner.withConfiguration(AutoConfigurations.of(SpringAiRetryAutoConfiguration.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output.getOut().split(WARNING, -1)).hasSize(2);
            assertThat(output).contains("spring.ai.retry.max-attempts=10").contains("1 @RetryWithBackoff method(s)");
        });
    }

    @Test
    void noWarningWhenSpringAiRetriesNothingOrIsAbsent(CapturedOutput output) {
        contextRunner.withConfiguration(AutoConfigurations.of(SpringAiRetryAutoConfiguration.class))
                .withPropertyValues("spring.ai.retry.max-attempts=0")
                .run(context -> assertThat(context).hasNotFailed());
        contextRunner.run(context -> assertThat(context).hasNotFailed());
        contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.ai"))
                .run(context -> assertThat(context).hasNotFailed());

        assertThat(output).doesNotContain(WARNING);
    }

    /** Public: with Spring AI filtered out, its proxy class is made by another class loader. */
    public static class Model {

        private final RestClient client = RestClient.builder().baseUrl(provider.url())
                .defaultStatusHandler(RetryUtils.DEFAULT_RESPONSE_ERROR_HANDLER).build();

        @RetryWithBackoff(policy = "model")
        public String call() {
            return client.post().uri("/v1/chat").body("hi").retrieve().body(String.class);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ModelConfiguration {

        @Bean
        Model model() {
            return new Model();
        }
    }
}
