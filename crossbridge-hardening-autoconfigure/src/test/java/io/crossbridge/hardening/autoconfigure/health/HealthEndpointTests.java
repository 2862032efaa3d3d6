package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.autoconfigure.Http;
import io.crossbridge.hardening.health.HealthResult;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/health} over real HTTP while a provider check goes down and comes back,
 * monitored every 50 ms. A threshold of 20 keeps DEGRADED for about a second before DOWN, long
 * enough for Awaitility, which polls instead of sleeping, to see it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "crossbridge.hardening.health.interval=50ms", "crossbridge.hardening.health.failure-threshold=20",
        "management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true" })
class HealthEndpointTests {

    @LocalServerPort
    private int port;

    @Autowired
    private SwitchableCheck provider;

    private Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    @AfterEach
    void recover() {
        provider.set(SwitchableCheck.State.UP);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health").status() == 200
                && "UP".equals(http.get("/actuator/health").read("$.status")));
    }

    @Test
    void healthyChecksAreListedUnderTheCrossbridgeComposite() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Http.Response health = http.get("/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.<String>read("$.status")).isEqualTo("UP");
            assertThat(health.<String>read("$.components.crossbridge.status")).isEqualTo("UP");
            Map<String, Object> provider = health.read("$.components.crossbridge.components.provider");
            assertThat(provider).containsEntry("status", "UP");
            assertThat(health.<Map<String, Object>>read("$.components.crossbridge.components.provider.details"))
                    .containsEntry("message", "answering").containsEntry("consecutiveFailures", 0)
                    .containsKeys("duration", "checkedAt");
            assertThat(health.<String>read("$.components.crossbridge.components.vectors.status")).isEqualTo("UP");
        });
    }

    @Test
    void failingProviderIsDegradedWith200ThenDownWith503ThenUpAgain() {
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(http.get("/actuator/health").read("$.status")));

        provider.set(SwitchableCheck.State.FAILING);

        Http.Response degraded = await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health"),
                response -> "DEGRADED".equals(response.read("$.status")));
        assertThat(degraded.status()).isEqualTo(200);
        assertThat(degraded.<String>read("$.components.crossbridge.components.provider.details.error"))
                .isEqualTo("java.io.IOException");
        assertThat(degraded.body()).doesNotContain("sk-test-abcdef0123456789").doesNotContain("at io.crossbridge");

        Http.Response down = await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health"),
                response -> "DOWN".equals(response.read("$.status")));
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.<Integer>read("$.components.crossbridge.components.provider.details.consecutiveFailures"))
                .isGreaterThanOrEqualTo(20);

        provider.set(SwitchableCheck.State.UP);

        Http.Response up = await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health"),
                response -> "UP".equals(response.read("$.status")));
        assertThat(up.status()).isEqualTo(200);
    }

    @Test
    void livenessAndReadinessLeaveProviderChecksOut() {
        Http.Response liveness = http.get("/actuator/health/liveness");
        Http.Response readiness = http.get("/actuator/health/readiness");

        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.body()).doesNotContain("crossbridge");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.body()).doesNotContain("crossbridge");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        @Bean
        SwitchableCheck provider() {
            return new SwitchableCheck(SwitchableCheck.State.UP);
        }

        @Bean
        HealthCheck vectors() {
            return HealthResult::healthy;
        }
    }
}
