package io.crossbridge.hardening.health;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HealthResultTests {

    private static final String[] SECRETS = { "sk-live-4f9a8b7c6d5e4f3a", "ghp_abcdefghijklmnopqrstuvwx",
            "AKIAABCDEFGHIJKLMNOP", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "hunter2-password-value", "s3cr3t-t0k3n-value" };

    @Test
    void factoriesSetTheStatusAndMessage() {
        assertThat(HealthResult.healthy()).extracting(HealthResult::status, HealthResult::message)
                .containsExactly(HealthStatus.HEALTHY, null);
        assertThat(HealthResult.healthy("fine").message()).isEqualTo("fine");
        assertThat(HealthResult.degraded("slow").status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(HealthResult.unhealthy("down").status()).isEqualTo(HealthStatus.UNHEALTHY);
    }

    @Test
    void unhealthyFromAFailureKeepsItsTypeAndMessageButNoStackTrace() {
        HealthResult result = HealthResult.unhealthy(new IOException("connection refused"));

        assertThat(result.errorType()).isEqualTo("java.io.IOException");
        assertThat(result.errorMessage()).isEqualTo("connection refused");
        assertThat(result.message()).isEqualTo("java.io.IOException: connection refused");
        assertThat(result.toString()).doesNotContain("at io.crossbridge");
    }

    @Test
    void failureWithoutAMessageIsNamedByItsType() {
        HealthResult result = HealthResult.unhealthy(new IllegalStateException());

        assertThat(result.message()).isEqualTo("java.lang.IllegalStateException");
        assertThat(result.errorMessage()).isNull();
    }

    @Test
    void withDetailAddsInOrderAndKeepsTheResultImmutable() {
        HealthResult base = HealthResult.healthy();
        HealthResult detailed = base.withDetail("provider", "openai").withDetail("latencyMs", 42L);

        assertThat(detailed.details()).containsExactly(Map.entry("provider", "openai"), Map.entry("latencyMs", 42L));
        assertThat(base.details()).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> base.withDetail(" ", 1))
                .withMessage("detail name must not be null or blank");
    }

    @Test
    void noSecretSurvivesInAMessageAnErrorOrADetail() {
        for (String secret : SECRETS) {
            HealthResult fromFailure = HealthResult.unhealthy(new IOException("401 for api_key=" + secret
                    + " with header Authorization: Bearer " + secret + " at https://bot:" + secret + "@api.example.com"));
            HealthResult fromMessage = HealthResult.degraded("slow with token " + secret + " and password: " + secret);
            HealthResult fromDetails = HealthResult.healthy().withDetail("apiKey", secret)
                    .withDetail("clientToken", secret).withDetail("endpoint", "https://u:" + secret + "@host/v1")
                    .withDetail("note", "key is " + secret);

            for (HealthResult result : new HealthResult[] { fromFailure, fromMessage, fromDetails }) {
                assertThat(result.toString()).as("result for %s", secret).doesNotContain(secret);
            }
        }
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        HealthResult result = HealthResult.degraded("AI provider openai is slow: answered in 2300 ms, above 1000 ms")
                .withDetail("model", "gpt-4o-mini").withDetail("latencyMs", 2300L).withDetail("timeout", Duration.ofSeconds(5));

        assertThat(result.message()).isEqualTo("AI provider openai is slow: answered in 2300 ms, above 1000 ms");
        assertThat(result.details()).containsEntry("model", "gpt-4o-mini").containsEntry("latencyMs", 2300L)
                .containsEntry("timeout", Duration.ofSeconds(5));
    }
}
