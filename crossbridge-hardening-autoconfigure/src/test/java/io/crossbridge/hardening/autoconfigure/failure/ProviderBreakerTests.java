package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog;
import io.crossbridge.hardening.autoconfigure.failure.ScriptedProvider.Step;
import io.crossbridge.hardening.circuitbreaker.CallNotPermittedException;
import io.crossbridge.hardening.circuitbreaker.CircuitState;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code @CircuitBreaker} around a {@code RestClient} call to a real provider on a loopback port:
 * the classification decides what counts, and the provider's {@code Retry-After} how long the
 * circuit stays open. Time is the breaker's ticker, moved by the test.
 */
class ProviderBreakerTests {

    @RegisterExtension
    static final ScriptedProvider provider = new ScriptedProvider();

    private final AtomicLong nanos = new AtomicLong();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class,
                    CircuitBreakerAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.circuit-breaker.instances.provider.window-size=4",
                    "crossbridge.hardening.circuit-breaker.instances.provider.minimum-calls=4",
                    "crossbridge.hardening.circuit-breaker.instances.provider.wait-in-open=30s")
            .withBean(Ticker.class, () -> nanos::get)
            .withUserConfiguration(BreakerConfiguration.class);

    @Test
    void aRunOfBadRequestsNeverOpensTheCircuit() {
        contextRunner.run(context -> {
            provider.script(Step.status(400));
            Guarded guarded = context.getBean(Guarded.class);
            for (int i = 0; i < 20; i++) {
                assertThatExceptionOfType(HttpClientErrorException.BadRequest.class).isThrownBy(guarded::call);
            }
            assertThat(state(context)).isEqualTo(CircuitState.CLOSED);
            assertThat(provider.requests()).isEqualTo(20);
        });
    }

    @Test
    void aRunOfServiceUnavailableOpensIt() {
        contextRunner.run(context -> {
            provider.script(Step.status(503));
            Guarded guarded = context.getBean(Guarded.class);
            for (int i = 0; i < 4; i++) {
                assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class).isThrownBy(guarded::call);
            }
            assertThat(state(context)).isEqualTo(CircuitState.OPEN);
            assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(guarded::call);
            assertThat(provider.requests()).as("the refused call never reached the provider").isEqualTo(4);

            advance(Duration.ofSeconds(30));
            provider.script(Step.ok());
            assertThat(guarded.call()).as("its own 30 s, no hint given").isEqualTo("answer");
        });
    }

    @Test
    void aRetryAfterLongerThanTheWaitKeepsItOpenThatLong() {
        contextRunner.run(context -> {
            provider.script(Step.status(503, "Retry-After", "120"));
            Guarded guarded = context.getBean(Guarded.class);
            for (int i = 0; i < 4; i++) {
                assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class).isThrownBy(guarded::call);
            }
            advance(Duration.ofSeconds(31));
            assertThatExceptionOfType(CallNotPermittedException.class).as("past wait-in-open, before the provider's 120 s")
                    .isThrownBy(guarded::call)
                    .satisfies(refused -> assertThat(refused.untilHalfOpen()).isEqualTo(Duration.ofSeconds(89)));

            advance(Duration.ofSeconds(89));
            provider.script(Step.ok());
            assertThat(guarded.call()).isEqualTo("answer");
            assertThat(provider.requests()).isEqualTo(1);
        });
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static CircuitState state(org.springframework.context.ApplicationContext context) {
        return context.getBean(CircuitBreakerCatalog.class).find("provider").orElseThrow().state();
    }

    static class Guarded {

        private final RestClient client = RestClient.builder().baseUrl(provider.url()).build();

        @CircuitBreaker(name = "provider")
        public String call() {
            return client.get().uri("/complete").retrieve().body(String.class);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BreakerConfiguration {

        @Bean
        Guarded guarded() {
            return new Guarded();
        }
    }
}
