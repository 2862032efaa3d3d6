package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.autoconfigure.Http;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthResult;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application's own status order and HTTP mapping win over the starter's defaults, and
 * {@code crossbridge.hardening.health.readiness} puts the checks into the readiness group.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "crossbridge.hardening.health.interval=1h", "crossbridge.hardening.health.readiness=true",
        "management.endpoint.health.status.order=DEGRADED,DOWN,UP",
        "management.endpoint.health.status.http-mapping.degraded=503",
        "management.endpoint.health.probes.enabled=true" })
class HealthStatusCustomizationTests {

    @LocalServerPort
    private int port;

    @Test
    void applicationsStatusOrderAndMappingWin() {
        Http http = new Http(port);

        Http.Response health = await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/actuator/health"),
                response -> "DEGRADED".equals(response.read("$.status")));

        assertThat(health.status()).isEqualTo(503);
    }

    @Test
    void readinessIncludesTheChecksWhenAskedToButLivenessNever() {
        Http http = new Http(port);

        Http.Response readiness = await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/actuator/health/readiness"), response -> response.status() == 503);
        Http.Response liveness = http.get("/actuator/health/liveness");

        assertThat(readiness.<String>read("$.status")).isEqualTo("DEGRADED");
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.<String>read("$.status")).isEqualTo("UP");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        @Bean
        HealthCheck slowProvider() {
            return () -> HealthResult.degraded("answering slowly");
        }
    }
}
