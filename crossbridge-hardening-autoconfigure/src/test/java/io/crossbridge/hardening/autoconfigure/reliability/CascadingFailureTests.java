package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog;
import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.circuitbreaker.CircuitState;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider that fails every call, behind a retry with a budget, a circuit breaker with a
 * fallback, and a health check: retries stay within the budget's share of calls, the circuit
 * opens, health goes DEGRADED then DOWN, callers get the fallback throughout; after recovery the
 * circuit closes and everything is UP again.
 */
@Tag("reliability")
class CascadingFailureTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
                    HealthCheckAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.budget.ratio=0.2",
                    "crossbridge.hardening.retry.budget.min-retries-per-second=0",
                    "crossbridge.hardening.retry.policies.fast.max-attempts=5",
                    "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
                    "crossbridge.hardening.retry.policies.fast.max-delay=0ms",
                    "crossbridge.hardening.circuit-breaker.instances.provider.window-size=100",
                    "crossbridge.hardening.circuit-breaker.instances.provider.minimum-calls=50",
                    "crossbridge.hardening.circuit-breaker.instances.provider.wait-in-open=100ms",
                    "crossbridge.hardening.circuit-breaker.instances.provider.permitted-calls-in-half-open=2",
                    "crossbridge.hardening.health.failure-threshold=2")
            .withUserConfiguration(ProviderConfiguration.class);

    @Test
    void failingProviderIsContainedAndRecovers() {
        this.contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            HealthRegistry health = context.getBean(HealthRegistry.class);
            io.crossbridge.hardening.circuitbreaker.CircuitBreaker breaker = context.getBean(CircuitBreakerCatalog.class)
                    .find("provider").orElseThrow();
            // Monitoring's first round, started with the context, sees the provider up.
            await().atMost(Duration.ofSeconds(10)).until(() -> health.lastResult("providerHealth").isPresent());
            provider.goDown();

            int calls = 0;
            while (breaker.state() == CircuitState.CLOSED && calls < 1_000) {
                assertThat(provider.answer("q")).isEqualTo("fallback");
                calls++;
            }
            int attemptsWhileClosed = provider.attempts();
            for (int i = 0; i < 100; i++) {
                assertThat(provider.answer("q")).isEqualTo("fallback");
            }

            // 5 attempts a call without the budget; with it, the first attempts plus 20% of them.
            assertThat(calls).isEqualTo(50);
            assertThat(attemptsWhileClosed).isLessThanOrEqualTo((int) Math.ceil(calls * 1.2) + 1);
            assertThat(provider.attempts()).as("no attempt while open").isEqualTo(attemptsWhileClosed);
            assertThat(health.run("providerHealth").status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(health.run("providerHealth").status()).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(health.run("circuitBreakers").status()).isEqualTo(HealthStatus.DEGRADED);

            provider.recover();
            context.getBean(MovableTicker.class).advance(Duration.ofMillis(100));
            assertThat(provider.answer("q")).as("first trial call").isEqualTo("answer to q");
            assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
            assertThat(provider.answer("q")).as("second trial call").isEqualTo("answer to q");

            assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
            assertThat(health.run("providerHealth").status()).isEqualTo(HealthStatus.HEALTHY);
            // Awaited: the state change's own refresh of the check runs off the calling thread, and
            // once, on a fresh clone, a run just after the close still answered DEGRADED (the
            // cause not yet pinned down; every run after it answers HEALTHY).
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> health.run("circuitBreakers").status() == HealthStatus.HEALTHY);
            System.out.printf("cascading failure: %d calls, %d attempts while closed (budget 20%%)%n", calls,
                    attemptsWhileClosed);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ProviderConfiguration {

        @Bean
        Provider provider() {
            return new Provider();
        }

        /** The breakers' clock: moved by the test, so no test waits for a circuit to half-open. */
        @Bean
        MovableTicker ticker() {
            return new MovableTicker();
        }

        @Bean
        HealthCheck providerHealth(Provider provider) {
            return () -> provider.isDown() ? HealthResult.unhealthy("provider is down") : HealthResult.healthy();
        }
    }

    static final class MovableTicker implements Ticker {

        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }
    }

    static class Provider {

        private final AtomicInteger attempts = new AtomicInteger();

        private volatile boolean down;

        @CircuitBreaker(name = "provider", fallback = "fallback")
        @RetryWithBackoff(policy = "fast")
        public String answer(String question) throws IOException {
            attempts.incrementAndGet();
            if (down) {
                throw new IOException("provider is down");
            }
            return "answer to " + question;
        }

        String fallback(String question) {
            return "fallback";
        }

        public void goDown() {
            down = true;
        }

        public void recover() {
            down = false;
        }

        public boolean isDown() {
            return down;
        }

        public int attempts() {
            return attempts.get();
        }
    }
}
