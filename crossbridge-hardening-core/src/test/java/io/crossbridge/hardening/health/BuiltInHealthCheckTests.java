package io.crossbridge.hardening.health;

import io.crossbridge.hardening.FakeTicker;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuiltInHealthCheckTests {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void simpleCheckFollowsItsCondition() throws Exception {
        boolean[] up = { true };
        SimpleHealthCheck check = new SimpleHealthCheck("queue", () -> up[0]);

        assertThat(check.check()).extracting(HealthResult::status, HealthResult::message)
                .containsExactly(HealthStatus.HEALTHY, "queue is up");
        up[0] = false;
        assertThat(check.check()).extracting(HealthResult::status, HealthResult::message)
                .containsExactly(HealthStatus.UNHEALTHY, "queue is down");
    }

    @Test
    void simpleCheckFromACallablePassesItsFailureOn() {
        SimpleHealthCheck check = new SimpleHealthCheck("queue", () -> {
            throw new IOException("broker gone");
        });

        assertThatThrownBy(check::check).isInstanceOf(IOException.class).hasMessage("broker gone");
    }

    @Test
    void pingCheckIsHealthyWhenThePingAnswers() throws Exception {
        assertThat(new PingHealthCheck("redis", () -> "PONG".length()).check().message())
                .isEqualTo("redis answered a ping");
        assertThatThrownBy(new PingHealthCheck("redis", () -> {
            throw new IOException("refused");
        })::check).hasMessage("refused");
    }

    @Test
    void aiProviderCheckIsHealthyWhenQuickAndNamesProviderAndModel() throws Exception {
        AiProviderHealthCheck check = new AiProviderHealthCheck("openai", "gpt-4o-mini",
                () -> ticker.advance(Duration.ofMillis(300)), Duration.ofSeconds(1), ticker);

        HealthResult result = check.check();

        assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(result.message()).isEqualTo("AI provider openai answered in 300 ms");
        assertThat(result.details()).containsEntry("provider", "openai").containsEntry("model", "gpt-4o-mini")
                .containsEntry("latencyMs", 300L);
    }

    @Test
    void aiProviderCheckIsDegradedWhenSlow() throws Exception {
        AiProviderHealthCheck check = new AiProviderHealthCheck("openai", "gpt-4o-mini",
                () -> ticker.advance(Duration.ofMillis(2_300)), Duration.ofSeconds(1), ticker);

        HealthResult result = check.check();

        assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(result.message()).isEqualTo("AI provider openai is slow: answered in 2300 ms, above 1000 ms");
    }

    @Test
    void vectorStoreCheckJudgesLatencyAtTheThresholdAsHealthy() throws Exception {
        VectorStoreHealthCheck check = new VectorStoreHealthCheck("pgvector", "documents",
                () -> ticker.advance(Duration.ofMillis(500)), Duration.ofMillis(500), ticker);

        HealthResult result = check.check();

        assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(result.details()).containsEntry("store", "pgvector").containsEntry("collection", "documents");
    }

    @Test
    void vectorStoreCheckPassesAProbeFailureOn() {
        VectorStoreHealthCheck check = new VectorStoreHealthCheck("pgvector", "documents", () -> {
            throw new IOException("no route to host");
        }, Duration.ofMillis(500), ticker);

        assertThatThrownBy(check::check).hasMessage("no route to host");
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new AiProviderHealthCheck(" ", "m", () -> { }, Duration.ofSeconds(1)))
                .withMessage("provider must not be null or blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new VectorStoreHealthCheck("s", "c", () -> { }, Duration.ZERO))
                .withMessage("degradedAbove must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> new AiProviderHealthCheck("p", "m", null, Duration.ofSeconds(1)))
                .withMessage("probe must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> new PingHealthCheck("redis", null))
                .withMessage("ping must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> new SimpleHealthCheck("", () -> true))
                .withMessage("subject must not be null or blank");
    }
}
