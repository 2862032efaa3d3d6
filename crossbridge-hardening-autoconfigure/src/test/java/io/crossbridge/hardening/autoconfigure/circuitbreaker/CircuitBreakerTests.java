package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitCatalog;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.circuitbreaker.CallNotPermittedException;
import io.crossbridge.hardening.circuitbreaker.CircuitState;
import io.crossbridge.hardening.failure.ValidationException;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code @CircuitBreaker} through real Spring proxies: fallbacks, ordering with the other two
 * annotations, health, meters and startup failures. The "provider" breaker opens at 50% of 4
 * calls and stays open for an hour, so no test waits for it to close by itself.
 */
class CircuitBreakerTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class, CircuitBreakerAutoConfiguration.class,
                    RetryAutoConfiguration.class, HealthCheckAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.circuit-breaker.instances.provider.window-size=4",
                    "crossbridge.hardening.circuit-breaker.instances.provider.minimum-calls=4",
                    "crossbridge.hardening.circuit-breaker.instances.provider.wait-in-open=1h",
                    "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
                    "crossbridge.hardening.retry.policies.fast.max-delay=0ms",
                    "crossbridge.hardening.rate-limit.limits.roomy.capacity=100",
                    "crossbridge.hardening.rate-limit.limits.roomy.window=1h")
            .withBean(RateLimiter.class, () -> InMemoryRateLimiter.builder().ticker(() -> 0L).build())
            .withUserConfiguration(ServiceConfiguration.class);

    @Test
    void failuresOpenTheCircuitThenTheFallbackAnswersWithoutCallingTheProvider() {
        this.contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.goDown();
            for (int i = 0; i < 4; i++) {
                assertThat(provider.search("cats")).isEqualTo("secondary: cats (IOException)");
            }
            int callsWhenOpened = provider.calls();

            assertThat(provider.search("dogs")).isEqualTo("secondary: dogs (CallNotPermittedException)");
            assertThat(provider.calls()).isEqualTo(callsWhenOpened);
            assertThat(context.getBean(CircuitBreakerCatalog.class).find("provider").orElseThrow().state())
                    .isEqualTo(CircuitState.OPEN);
        });
    }

    @Test
    void withoutAFallbackARefusalReachesTheCaller() {
        this.contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.goDown();
            for (int i = 0; i < 4; i++) {
                assertThatExceptionOfType(IOException.class).isThrownBy(provider::embed);
            }
            assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(provider::embed)
                    .satisfies(ex -> assertThat(ex.name()).isEqualTo("provider"));
        });
    }

    @Test
    void permanentFailuresAreRethrownWithoutFallbackAndNeverOpenTheCircuit() {
        this.contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            for (int i = 0; i < 10; i++) {
                assertThatExceptionOfType(ValidationException.class).isThrownBy(() -> provider.search(""));
            }
            assertThat(context.getBean(CircuitBreakerCatalog.class).find("provider").orElseThrow().state())
                    .isEqualTo(CircuitState.CLOSED);
        });
    }

    @Test
    void rateLimitWrapsTheBreakerWhichWrapsTheRetry() {
        this.contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            RateLimiter limiter = context.getBean(RateLimiter.class);
            provider.goDown();

            assertThatExceptionOfType(IOException.class).isThrownBy(() -> provider.complete("alice"));
            io.crossbridge.hardening.circuitbreaker.CircuitBreaker breaker = context.getBean(CircuitBreakerCatalog.class)
                    .find("provider").orElseThrow();
            assertThat(provider.calls()).as("three attempts").isEqualTo(3);
            assertThat(breaker.metrics().calls()).as("one call for the breaker").isEqualTo(1);
            assertThat(limiter.remaining("alice", context.getBean(RateLimitCatalog.class).get("roomy"))).isEqualTo(99.0);

            breaker.forceOpen();
            assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(() -> provider.complete("alice"));
            assertThat(provider.calls()).as("no attempt while open").isEqualTo(3);
            assertThat(limiter.remaining("alice", context.getBean(RateLimitCatalog.class).get("roomy")))
                    .as("a refused call still took its token").isEqualTo(98.0);
        });
    }

    @Test
    void asyncMethodsAreJudgedWhenTheirFutureCompletesAndFallBackWithAFuture() {
        this.contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.goDown();
            for (int i = 0; i < 4; i++) {
                assertThat(provider.searchAsync("cats").get(10, TimeUnit.SECONDS)).isEqualTo("cached: cats");
            }
            assertThat(context.getBean(CircuitBreakerCatalog.class).find("provider").orElseThrow().state())
                    .isEqualTo(CircuitState.OPEN);
            assertThat(provider.searchAsync("dogs").get(10, TimeUnit.SECONDS)).isEqualTo("cached: dogs");
        });
    }

    @Test
    void anOpenCircuitIsDegradedNeverDown() {
        this.contextRunner.run(context -> {
            HealthRegistry registry = context.getBean(HealthRegistry.class);
            assertThat(registry.run("circuitBreakers").status()).isEqualTo(HealthStatus.HEALTHY);

            context.getBean(CircuitBreakerCatalog.class).find("provider").orElseThrow().forceOpen();
            HealthResult degraded = registry.run("circuitBreakers");

            assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(degraded.details()).containsEntry("provider", "FORCED_OPEN");
            for (int i = 0; i < 5; i++) {
                assertThat(registry.run("circuitBreakers").status()).isEqualTo(HealthStatus.DEGRADED);
            }
        });
    }

    @Test
    void callsAreCountedByOutcomeAndTheStateIsAGauge() {
        this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            Provider provider = context.getBean(Provider.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            // Boot's metrics auto-configuration binds MeterBinder beans; this context has none.
            context.getBean("circuitBreakerStateMeters", MeterBinder.class).bindTo(meters);
            provider.search("ok");
            provider.goDown();
            for (int i = 0; i < 4; i++) {
                provider.search("cats");
            }

            // The success and three failures fill the window at 75% failed: the fourth call is refused.
            assertThat(count(meters, "success")).isEqualTo(1);
            assertThat(count(meters, "failure")).isEqualTo(3);
            assertThat(count(meters, "not_permitted")).isEqualTo(1);
            assertThat(count(meters, "fallback")).isEqualTo(4);
            assertThat(meters.get("crossbridge.circuitbreaker.state").tag("name", "provider").tag("state", "open").gauge()
                    .value()).isEqualTo(1.0);
            provider.search("refused");
            assertThat(count(meters, "not_permitted")).isEqualTo(2);
        });
    }

    @Test
    void unknownBreakerOrMissingFallbackStopsStartupNamingTheMethod() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class))
                .withBean("unknownBreaker", UnknownBreaker.class)
                .run(context -> assertThat(context).hasFailed().getFailure().hasMessageContaining("Bean 'unknownBreaker'")
                        .hasMessageContaining("names circuit breaker 'primary', which does not exist; configured: [default]"));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class))
                .withBean("missingFallback", MissingFallback.class)
                .run(context -> assertThat(context).hasFailed().getFailure().hasMessageContaining(
                        "names fallback 'nowhere', but MissingFallback has no method nowhere(String[, a Throwable]) returning String"));
    }

    @Test
    void badSettingsStopStartupNamingTheProperty() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.circuit-breaker.instances.provider.failure-rate-threshold=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(
                        "Invalid value for 'crossbridge.hardening.circuit-breaker.instances.provider.failure-rate-threshold': 0.0. "
                                + "FailureRateThreshold must be above 0 and at most 100, was 0.0."));
    }

    private static double count(MeterRegistry meters, String outcome) {
        return meters.get("crossbridge.circuitbreaker.calls").tag("name", "provider").tag("outcome", outcome).counter().count();
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceConfiguration {

        @Bean
        Provider provider() {
            return new Provider();
        }
    }

    static class Provider {

        // Read and written through methods: a test holds the proxy, whose own fields stay unused.
        private final AtomicInteger calls = new AtomicInteger();

        private volatile boolean down;

        public void goDown() {
            down = true;
        }

        public int calls() {
            return calls.get();
        }

        @CircuitBreaker(name = "provider", fallback = "searchSecondary")
        public String search(String query) throws IOException {
            if (query.isEmpty()) {
                throw new ValidationException("query must not be empty");
            }
            call();
            return "primary: " + query;
        }

        String searchSecondary(String query, Throwable failure) {
            return "secondary: " + query + " (" + failure.getClass().getSimpleName() + ")";
        }

        @CircuitBreaker(name = "provider")
        public String embed() throws IOException {
            call();
            return "vector";
        }

        @RateLimited(limit = "roomy", key = "#user")
        @CircuitBreaker(name = "provider")
        @RetryWithBackoff(policy = "fast")
        public String complete(String user) throws IOException {
            call();
            return "done";
        }

        @CircuitBreaker(name = "provider", fallback = "searchCached")
        public CompletableFuture<String> searchAsync(String query) {
            calls.incrementAndGet();
            return down ? CompletableFuture.failedFuture(new IOException("down")) : CompletableFuture.completedFuture(query);
        }

        CompletableFuture<String> searchCached(String query) {
            return CompletableFuture.completedFuture("cached: " + query);
        }

        private void call() throws IOException {
            calls.incrementAndGet();
            if (down) {
                throw new IOException("connection refused");
            }
        }
    }

    static class UnknownBreaker {

        @CircuitBreaker(name = "primary")
        public String call() {
            return "never";
        }
    }

    static class MissingFallback {

        @CircuitBreaker(fallback = "nowhere")
        public String call(String query) {
            return "never";
        }
    }
}
