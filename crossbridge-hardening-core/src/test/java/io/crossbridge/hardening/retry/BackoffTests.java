package io.crossbridge.hardening.retry;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BackoffTests {

    private static final long MS = 1_000_000L;

    private static final int SAMPLES = 10_000;

    private final SplittableRandom random = new SplittableRandom(42);

    @Test
    void noJitterIsTheExactCappedExponential() {
        RetryPolicy policy = RetryPolicy.DEFAULT.withMaxAttempts(10).withJitter(Jitter.NONE);

        long[] delays = new long[7];
        for (int retry = 1; retry <= delays.length; retry++) {
            delays[retry - 1] = Backoff.delayNanos(policy, retry, 0, random.nextDouble()) / MS;
        }

        assertThat(delays).containsExactly(500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000);
    }

    @Test
    void multiplierOfOneKeepsTheBaseDelay() {
        RetryPolicy policy = RetryPolicy.DEFAULT.withJitter(Jitter.NONE).withMultiplier(1);

        assertThat(Backoff.delayNanos(policy, 3, 0, 0.5)).isEqualTo(500 * MS);
    }

    @Test
    void attemptOneHundredWithMultiplierTenDoesNotOverflow() {
        for (Jitter jitter : Jitter.values()) {
            RetryPolicy policy = RetryPolicy.DEFAULT.withMaxAttempts(100).withMultiplier(10).withJitter(jitter);

            long delay = Backoff.delayNanos(policy, 99, policy.maxDelay().toNanos(), 0.999_999);

            assertThat(delay).as("%s", jitter).isBetween(0L, policy.maxDelay().toNanos());
        }
        RetryPolicy none = RetryPolicy.DEFAULT.withMaxAttempts(100).withMultiplier(10).withJitter(Jitter.NONE);
        assertThat(Backoff.delayNanos(none, 99, 0, 0)).isEqualTo(none.maxDelay().toNanos());
    }

    @Test
    void zeroBaseDelayNeverWaits() {
        for (Jitter jitter : Jitter.values()) {
            RetryPolicy policy = RetryPolicy.DEFAULT.withMultiplier(10).withJitter(jitter).withBaseDelay(Duration.ZERO);

            assertThat(Backoff.delayNanos(policy, 50, 0, 0.9)).as("%s", jitter).isZero();
        }
    }

    @Test
    void fullJitterSpreadsOverZeroToTheBackoff() {
        RetryPolicy policy = RetryPolicy.DEFAULT.withJitter(Jitter.FULL);

        double mean = meanDelayMillis(policy, 3, 2_000, 0, 2_000);

        assertThat(mean).isCloseTo(1_000, within(30.0));
    }

    @Test
    void equalJitterSpreadsOverTheUpperHalf() {
        RetryPolicy policy = RetryPolicy.DEFAULT.withJitter(Jitter.EQUAL);

        double mean = meanDelayMillis(policy, 3, 2_000, 1_000, 2_000);

        assertThat(mean).isCloseTo(1_500, within(15.0));
    }

    @Test
    void decorrelatedJitterGrowsFromThePreviousDelay() {
        RetryPolicy policy = RetryPolicy.DEFAULT.withJitter(Jitter.DECORRELATED);

        double mean = meanDelayMillis(policy, 2, 1_000, 500, 3_000);

        assertThat(mean).isCloseTo(1_750, within(40.0));
    }

    @Test
    void atTheCapEveryRandomModeKeepsClientsApart() {
        for (Jitter jitter : new Jitter[] { Jitter.FULL, Jitter.EQUAL, Jitter.DECORRELATED }) {
            RetryPolicy policy = RetryPolicy.DEFAULT.withMaxAttempts(100).withJitter(jitter);
            long cap = policy.maxDelay().toNanos();
            int atCap = 0;
            long min = Long.MAX_VALUE;
            for (int i = 0; i < SAMPLES; i++) {
                long delay = Backoff.delayNanos(policy, 60, cap, random.nextDouble());
                assertThat(delay).isBetween(0L, cap);
                atCap += delay == cap ? 1 : 0;
                min = Math.min(min, delay);
            }
            assertThat(atCap).as("%s samples exactly at maxDelay", jitter).isLessThan(SAMPLES / 100);
            assertThat(min).as("%s shortest wait", jitter).isLessThanOrEqualTo(cap / 2 + cap / 100);
        }
    }

    private double meanDelayMillis(RetryPolicy policy, int retry, long previousMillis, long lowMillis, long highMillis) {
        double sum = 0;
        for (int i = 0; i < SAMPLES; i++) {
            long delay = Backoff.delayNanos(policy, retry, previousMillis * MS, random.nextDouble());
            assertThat(delay).isBetween(lowMillis * MS, highMillis * MS);
            sum += delay / (double) MS;
        }
        return sum / SAMPLES;
    }
}
