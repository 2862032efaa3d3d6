package io.crossbridge.hardening.concurrency;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AimdLimitTests {

    private static final long FAST = Duration.ofMillis(100).toNanos();

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private long now;

    @Test
    void growsByOneForEachLimitsWorthOfCallsInTime() {
        AimdLimit aimd = new AimdLimit(10, 1, 100, 0.9, TIMEOUT);

        int limit = 0;
        for (int i = 0; i < 10; i++) {
            limit = aimd.update(start(FAST), FAST, 10, false);
        }

        assertThat(limit).isEqualTo(11);
    }

    @Test
    void doesNotGrowWhileLessThanHalfOfItIsInUse() {
        AimdLimit aimd = new AimdLimit(10, 1, 100, 0.9, TIMEOUT);

        int limit = 0;
        for (int i = 0; i < 100; i++) {
            limit = aimd.update(start(FAST), FAST, 4, false);
        }

        assertThat(limit).isEqualTo(10);
    }

    @Test
    void anOverloadOrATimeoutMultipliesItByTheRatio() {
        AimdLimit aimd = new AimdLimit(20, 1, 100, 0.5, TIMEOUT);

        assertThat(aimd.update(start(FAST), FAST, 20, true)).isEqualTo(10);
        long slow = TIMEOUT.toNanos() + 1;
        assertThat(aimd.update(start(slow), slow, 20, false)).isEqualTo(5);
        assertThat(aimd.update(start(FAST), FAST, 20, true)).isEqualTo(2);
        assertThat(aimd.update(start(FAST), FAST, 20, true)).isEqualTo(1);
        assertThat(aimd.update(start(FAST), FAST, 20, true)).as("at min").isEqualTo(1);
    }

    /** Calls let in together under the old limit answer one excess once. */
    @Test
    void callsLetInBeforeADecreaseDoNotDecreaseItAgain() {
        AimdLimit aimd = new AimdLimit(20, 1, 100, 0.5, TIMEOUT);
        long together = now;
        now += FAST;

        assertThat(aimd.update(together, FAST, 20, true)).isEqualTo(10);
        assertThat(aimd.update(together, FAST, 20, true)).isEqualTo(10);
        assertThat(aimd.update(start(FAST), FAST, 20, true)).isEqualTo(5);
    }

    @Test
    void rejectsBadSettings() {
        assertThatIllegalArgumentException().isThrownBy(() -> new AimdLimit(10, 1, 100, 1.0, TIMEOUT))
                .withMessage("backoffRatio must be in [0.5, 1), was 1.0");
        assertThatIllegalArgumentException().isThrownBy(() -> new AimdLimit(10, 1, 100, 0.9, Duration.ZERO))
                .withMessage("timeout must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> new AimdLimit(0, 1, 100, 0.9, TIMEOUT))
                .withMessage("the initial limit must be in [min, max] = [1, 100], was 0");
    }

    /** Returns the start of a call of latency {@code rtt} that starts as the last one ends. */
    private long start(long rtt) {
        long start = now;
        now += rtt;
        return start;
    }
}
