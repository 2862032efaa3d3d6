package io.crossbridge.hardening.concurrency;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GradientLimitTests {

    private static final long UNLOADED = Duration.ofMillis(100).toNanos();

    private long now;

    @Test
    void growsWhileLatencyStaysUnloaded() {
        GradientLimit gradient = new GradientLimit(10, 1, 100);

        int first = windows(gradient, 10, UNLOADED, 1);
        int limit = windows(gradient, 10, UNLOADED, 30);

        // By a tenth a window (the tolerance): from 10 to 100 in 25 windows.
        assertThat(first).isEqualTo(11);
        assertThat(limit).isEqualTo(100);
    }

    @Test
    void doesNotGrowWhileLessThanHalfOfItIsInUse() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);

        int limit = windows(gradient, 40, UNLOADED, 10, 19);

        assertThat(limit).isEqualTo(40);
    }

    @Test
    void shrinksInProportionToTheLatencyOverTheTolerance() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);

        // Latency twice the baseline: multiplied by 1.1 / 2.
        int limit = windows(gradient, 40, 2 * UNLOADED, 1);

        assertThat(limit).isEqualTo(22);
    }

    @Test
    void shrinksAtMostByHalfAWindow() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);

        int limit = windows(gradient, 40, 10 * UNLOADED, 1);

        assertThat(limit).isEqualTo(20);
    }

    @Test
    void anOverloadShrinksItWhateverTheLatency() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);

        for (int i = 0; i < 40; i++) {
            gradient.update(tick(UNLOADED), UNLOADED, 40, i == 0);
        }

        assertThat(gradient.update(tick(UNLOADED), UNLOADED, 40, false)).isEqualTo(36);
    }

    @Test
    void callsLetInBeforeADecreaseDoNotDecreaseItAgain() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);
        long before = now;
        int limit = windows(gradient, 40, 2 * UNLOADED, 1);

        // Slow calls that started before the decrease end after it: they are left out.
        for (int i = 0; i < 100; i++) {
            limit = gradient.update(before, now - before + 2 * UNLOADED, 40, false);
        }

        assertThat(limit).isEqualTo(22);
    }

    /** The provider is twice as slow at any load: the limit falls, then takes it as the baseline. */
    @Test
    void followsAProviderThatBecameSlowerForEveryone() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);

        int fallen = windows(gradient, 40, 2 * UNLOADED, 2);
        int recovered = windows(gradient, 40, 2 * UNLOADED, 40);

        assertThat(fallen).isLessThan(20);
        assertThat(recovered).isEqualTo(100);
    }

    @Test
    void callsOfNoMeasurableLatencyAreLeftOut() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);

        for (int i = 0; i < 100; i++) {
            assertThat(gradient.update(now, 0, 40, false)).isEqualTo(40);
        }

        // The baseline is still the unloaded latency, not 0.
        assertThat(windows(gradient, 40, 2 * UNLOADED, 1)).isEqualTo(22);
    }

    /** Fast refusals in a window: the limit backs off, and their latency does not lower the baseline. */
    @Test
    void overloadedCallsBackOffButDoNotLowerTheBaseline() {
        GradientLimit gradient = new GradientLimit(40, 1, 100);
        windows(gradient, 40, UNLOADED, 1, 10);

        int limit = 0;
        for (int i = 0; i < 40; i++) {
            limit = gradient.update(tick(1_000), 1_000, 40, true);
        }
        assertThat(limit).isEqualTo(36);

        assertThat(windows(gradient, 40, UNLOADED, 1, 10)).as("unloaded latency, against the old baseline").isEqualTo(36);
    }

    @Test
    void staysWithinItsBounds() {
        GradientLimit gradient = new GradientLimit(5, 5, 8);

        assertThat(windows(gradient, 8, UNLOADED, 10)).isEqualTo(8);
        assertThat(windows(gradient, 8, 50 * UNLOADED, 1)).isEqualTo(5);
    }

    @Test
    void rejectsBadSettings() {
        assertThatIllegalArgumentException().isThrownBy(() -> new GradientLimit(10, 0, 100))
                .withMessage("min must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new GradientLimit(10, 20, 19))
                .withMessage("max must be at least min (20), was 19");
        assertThatIllegalArgumentException().isThrownBy(() -> new GradientLimit(200, 1, 100))
                .withMessage("the initial limit must be in [min, max] = [1, 100], was 200");
        assertThatIllegalArgumentException().isThrownBy(() -> new GradientLimit(10, 1, 100, 1.0))
                .withMessage("tolerance must be in (1, 3], was 1.0");
    }

    /**
     * Ends {@code count} windows of calls of latency {@code rtt}, each call started after the
     * last, with {@code inFlight} in flight (or, if given, that many); returns the last limit.
     */
    private int windows(GradientLimit gradient, int inFlight, long rtt, int count, int... inUse) {
        int limit = 0;
        for (int window = 0; window < count; window++) {
            int size = Math.max(GradientLimit.MIN_WINDOW, limit == 0 ? gradient.initialLimit() : limit);
            for (int i = 0; i < size; i++) {
                limit = gradient.update(tick(rtt), rtt, inUse.length > 0 ? inUse[0] : Math.max(inFlight, limit), false);
            }
        }
        return limit;
    }

    /** Returns the start of a call of latency {@code rtt} that starts as the last one ends. */
    private long tick(long rtt) {
        long start = now;
        now += rtt;
        return start;
    }
}
