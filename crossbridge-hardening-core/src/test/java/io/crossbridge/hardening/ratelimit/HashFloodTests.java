package io.crossbridge.hardening.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys chosen to share one {@code String.hashCode()}, as a client choosing its API key can: any
 * string of "Aa" and "BB" blocks hashes like any other of the same length. Through one limiter
 * they must cost about what as many random keys cost, measured in this test as a ratio of the
 * two, never as a wall time.
 */
class HashFloodTests {

    private static final RateLimit LIMIT = RateLimit.of("search", 30, Duration.ofMinutes(1));

    private static final int KEYS = 50_000;

    /** Colliding keys may cost at most this many times as much as random ones. */
    private static final int BOUND = 10;

    @Test
    void keysSharingOneHashCodeCostAboutWhatRandomKeysCost() {
        List<String> colliding = colliding(KEYS);
        assertThat(colliding.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
        List<String> random = random(KEYS, colliding.get(0).length());
        // Warms the JIT on limiters of their own, the keyed hash included, so that neither
        // measured pass pays for compiling.
        twoPasses(new InMemoryRateLimiter(), random(KEYS, 34), Long.MAX_VALUE);
        twoPasses(new InMemoryRateLimiter(), colliding, Long.MAX_VALUE);

        long randomNanos = twoPasses(new InMemoryRateLimiter(), random, Long.MAX_VALUE);
        long collidingNanos = twoPasses(new InMemoryRateLimiter(), colliding, BOUND * randomNanos);

        assertThat(collidingNanos).as("colliding keys against random keys (%d ns)", randomNanos)
                .isLessThanOrEqualTo(BOUND * randomNanos);
    }

    /** One decision per key, which makes its bucket, then another, which finds it; stops past the budget. */
    private static long twoPasses(RateLimiter limiter, List<String> keys, long budgetNanos) {
        long start = System.nanoTime();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < keys.size(); i++) {
                assertThat(limiter.tryAcquire(keys.get(i), LIMIT)).isTrue();
                if (i % 1000 == 0 && System.nanoTime() - start > budgetNanos) {
                    return System.nanoTime() - start;
                }
            }
        }
        return System.nanoTime() - start;
    }

    /** Distinct strings of "Aa" and "BB" blocks behind a common prefix, all with one hash code. */
    static List<String> colliding(int count) {
        List<String> keys = new ArrayList<>(count);
        int blocks = 32 - Integer.numberOfLeadingZeros(count - 1);
        for (int n = 0; n < count; n++) {
            StringBuilder key = new StringBuilder("key-");
            for (int b = blocks - 1; b >= 0; b--) {
                key.append((n >>> b & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(key.toString());
        }
        return keys;
    }

    private static List<String> random(int count, int length) {
        SplittableRandom random = new SplittableRandom(42);
        List<String> keys = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            StringBuilder key = new StringBuilder("key-");
            while (key.length() < length) {
                key.append((char) ('a' + random.nextInt(26)));
            }
            keys.add(key.toString());
        }
        return keys;
    }
}
