package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.autoconfigure.Http;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthRegistry;
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
 * {@code /actuator/health} over real HTTP while a provider check goes down and comes back. The
 * test runs the monitoring rounds itself ({@link HealthRegistry#runAll()}); the scheduled ones are
 * an hour apart, so no time has to pass and no round runs behind the test's back.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "crossbridge.hardening.health.interval=1h", "crossbridge.hardening.health.failure-threshold=3",
        "management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true" })
class HealthEndpointTests {

    @LocalServerPort
    private int port;

    @Autowired
    private SwitchableCheck provider;

    @Autowired
    private HealthRegistry registry;

    private Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
        // The round monitoring runs as it starts, on its own thread.
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.lastResult("provider").isPresent()
                && registry.lastResult("vectors").isPresent());
    }

    @AfterEach
    void recover() {
        provider.set(SwitchableCheck.State.UP);
        registry.runAll();
    }

    @Test
    void healthyChecksAreListedUnderTheCrossbridgeComposite() {
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
    }

    @Test
    void failingProviderIsDegradedWith200ThenDownWith503ThenUpAgain() {
        provider.set(SwitchableCheck.State.FAILING);
        registry.runAll();

        Http.Response degraded = http.get("/actuator/health");
        assertThat(degraded.<String>read("$.status")).isEqualTo("DEGRADED");
        assertThat(degraded.status()).isEqualTo(200);
        assertThat(degraded.<String>read("$.components.crossbridge.components.provider.details.error"))
                .isEqualTo("java.io.IOException");
        assertThat(degraded.body()).doesNotContain("sk-test-abcdef0123456789").doesNotContain("at io.crossbridge");

        registry.runAll();
        registry.runAll();

        Http.Response down = http.get("/actuator/health");
        assertThat(down.<String>read("$.status")).isEqualTo("DOWN");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.<Integer>read("$.components.crossbridge.components.provider.details.consecutiveFailures"))
                .isEqualTo(3);

        provider.set(SwitchableCheck.State.UP);
        registry.runAll();

        Http.Response up = http.get("/actuator/health");
        assertThat(up.<String>read("$.status")).isEqualTo("UP");
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
