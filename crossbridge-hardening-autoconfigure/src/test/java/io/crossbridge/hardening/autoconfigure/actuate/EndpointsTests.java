package io.crossbridge.hardening.autoconfigure.actuate;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.Http;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/ratelimiters} and {@code /actuator/retries} over real HTTP: their JSON, and the
 * reset write operation, which answers only when the application grants write access.
 */
class EndpointsTests {

    @Nested
    @SpringBootTest(classes = Application.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "management.endpoints.web.exposure.include=health,ratelimiters,retries,circuitbreakers",
            "management.endpoint.health.show-details=always",
            "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
            "crossbridge.hardening.rate-limit.limits.tiny.window=1h",
            "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
            "crossbridge.hardening.retry.policies.fast.max-delay=0ms",
            "crossbridge.hardening.retry.policies.fast.timeout=20s" })
    class ReadOnly {

        @LocalServerPort
        private int port;

        @Autowired
        private Provider provider;

        @Autowired
        private CircuitBreakerCatalog catalog;

        @Test
        void rateLimitersListsEveryLimitWithItsCountersAndNoKeys() throws Exception {
            provider.search("secret-api-key-1");
            provider.search("secret-api-key-1");
            assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> provider.search("secret-api-key-1"));
            Http http = new Http(port);

            Http.Response all = http.get("/actuator/ratelimiters");
            Http.Response tiny = http.get("/actuator/ratelimiters/tiny");

            assertThat(all.status()).isEqualTo(200);
            assertThat(all.<Map<String, Object>>read("$.limits")).containsKeys("search", "embed", "transform", "health",
                    "tiny");
            assertThat(all.<Map<String, Object>>read("$.limits.search")).containsEntry("capacity", 30)
                    .containsEntry("window", "PT1M");
            assertThat(all.<Integer>read("$.activeBuckets")).isGreaterThanOrEqualTo(1);
            assertThat(tiny.<Map<String, Object>>read("$")).containsEntry("capacity", 2).containsEntry("window", "PT1H")
                    .containsEntry("allowed", 2).containsEntry("rejected", 1).containsEntry("activeBuckets", 1);
            assertThat(all.body() + tiny.body()).doesNotContain("secret-api-key-1");
            assertThat(http.get("/actuator/ratelimiters/nope").status()).isEqualTo(404);
        }

        @Test
        void circuitBreakersListsEveryBreakerAndAnOpenOneDegradesHealth() {
            Http http = new Http(port);
            Http.Response breakers = http.get("/actuator/circuitbreakers");
            Http.Response one = http.get("/actuator/circuitbreakers/default");

            assertThat(breakers.status()).isEqualTo(200);
            assertThat(breakers.<Map<String, Object>>read("$.default")).containsEntry("state", "CLOSED")
                    .containsEntry("failureRateThreshold", 50.0).containsEntry("windowType", "count")
                    .containsEntry("windowSize", 100).containsEntry("waitInOpen", "PT30S").containsKeys("calls",
                            "failureRate", "notPermittedCalls");
            assertThat(one.<String>read("$.state")).isEqualTo("CLOSED");
            assertThat(http.get("/actuator/circuitbreakers/nope").status()).isEqualTo(404);
            assertThat(http.post("/actuator/circuitbreakers/default", "{\"state\":\"open\"}").status()).isIn(404, 405);

            catalog.find("default").orElseThrow().forceOpen();
            try {
                Http.Response health = await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health"),
                        response -> "DEGRADED".equals(response.read("$.components.crossbridge.components.circuitBreakers.status")));
                assertThat(health.status()).isEqualTo(200);
                assertThat(health.<String>read("$.components.crossbridge.components.circuitBreakers.details.default"))
                        .isEqualTo("FORCED_OPEN");
            }
            finally {
                catalog.find("default").orElseThrow().reset();
            }
        }

        @Test
        void resetIsNotAvailableWithoutWriteAccess() {
            Http.Response reset = new Http(port).post("/actuator/ratelimiters/tiny", "{\"key\":\"secret-api-key-1\"}");

            assertThat(reset.status()).isIn(404, 405);
        }

        @Test
        void retriesListsEveryPolicyWithItsSettingsAndOutcomes() throws Exception {
            provider.failNext(1);
            provider.complete();
            provider.complete();
            Http.Response retries = new Http(port).get("/actuator/retries");

            assertThat(retries.status()).isEqualTo(200);
            assertThat(retries.<Map<String, Object>>read("$.policies")).containsKeys("aggressive", "conservative",
                    "quick", "default", "fast");
            assertThat(retries.<Map<String, Object>>read("$.policies.aggressive")).containsEntry("maxAttempts", 5)
                    .containsEntry("baseDelay", "PT0.2S").containsEntry("maxDelay", "PT10S")
                    .containsEntry("jitter", "full");
            assertThat(retries.<Map<String, Object>>read("$.policies.fast.calls"))
                    .containsEntry("success_with_retry", 1).containsEntry("success_without_retry", 1)
                    .containsEntry("failed_with_retry", 0);
            assertThat(retries.<String>read("$.methods['Provider.complete'].policy")).isEqualTo("fast");
            assertThat(retries.<List<Object>>read("$.policies.default.retryOn")).isEmpty();
            assertThat(retries.<String>read("$.policies.fast.timeout")).isEqualTo("PT20S");
        }
    }

    @Nested
    @SpringBootTest(classes = Application.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "management.endpoints.web.exposure.include=ratelimiters,circuitbreakers",
            "management.endpoint.ratelimiters.access=unrestricted",
            "management.endpoint.circuitbreakers.access=unrestricted",
            "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
            "crossbridge.hardening.rate-limit.limits.tiny.window=1h",
            "crossbridge.hardening.retry.policies.fast.max-attempts=2" })
    class Writable {

        @LocalServerPort
        private int port;

        @Autowired
        private Provider provider;

        @Test
        void resetRefillsOneKeysBucket() {
            provider.search("carol");
            provider.search("carol");
            assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> provider.search("carol"));
            Http http = new Http(port);

            Http.Response reset = http.post("/actuator/ratelimiters/tiny", "{\"key\":\"carol\"}");

            assertThat(reset.status()).isEqualTo(200);
            assertThat(reset.body()).doesNotContain("carol");
            assertThat(provider.search("carol")).isEqualTo("results");
            assertThat(http.post("/actuator/ratelimiters/nope", "{\"key\":\"carol\"}").status()).isEqualTo(400);
            assertThat(http.post("/actuator/ratelimiters/tiny", "{\"key\":\" \"}").status()).isEqualTo(400);
            assertThat(http.post("/actuator/ratelimiters/tiny", "{}").status()).isEqualTo(400);
        }

        @Test
        void breakersCanBeForcedOpenAndResetWithWriteAccess() {
            Http http = new Http(port);

            Http.Response opened = http.post("/actuator/circuitbreakers/default", "{\"state\":\"open\"}");
            Http.Response reset = http.post("/actuator/circuitbreakers/default", "{\"state\":\"reset\"}");

            assertThat(opened.status()).isEqualTo(200);
            assertThat(opened.<String>read("$.state")).isEqualTo("FORCED_OPEN");
            assertThat(reset.<String>read("$.state")).isEqualTo("CLOSED");
            assertThat(http.post("/actuator/circuitbreakers/default", "{\"state\":\"ajar\"}").status()).isEqualTo(400);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        @Bean
        Provider provider() {
            return new Provider();
        }
    }

    static class Provider {

        private final AtomicInteger failuresLeft = new AtomicInteger();

        @RateLimited(limit = "tiny", key = "#apiKey")
        public String search(String apiKey) {
            return "results";
        }

        @RetryWithBackoff(policy = "fast")
        public String complete() throws IOException {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("flaky");
            }
            return "done";
        }

        void failNext(int failures) {
            failuresLeft.set(failures);
        }
    }
}
