package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key flood: 5,000,000 distinct keys through the in-memory limiter at {@code max-keys}
 * 100,000, while 100 live keys are hit throughout. The clock advances a microsecond per call (5 s
 * in all) and a flood bucket refills in a second, so the limiter reaches its bound, rejects new
 * keys, and drops refilled buckets as the flood goes on, while the live keys' hour-long window
 * barely moves.
 */
@Tag("reliability")
class KeyFloodTests {

    /** Stated in RELIABILITY.md: the limiter at its bound, with its keys, stays under this. */
    static final long HEAP_BOUND_BYTES = 64L * 1024 * 1024;

    @Test
    void floodStaysWithinItsHeapBoundAndLiveKeysKeepTheirExactLimit() {
        AtomicLong now = new AtomicLong();
        long baseline = usedHeapAfterGc();
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(now::get).maxKeys(100_000)
                .cleanupInterval(Duration.ofMillis(100)).build();
        RateLimit flood = RateLimit.of("flood", 1, Duration.ofSeconds(1));
        RateLimit live = RateLimit.of("live", 5, Duration.ofHours(1));
        int[] admitted = new int[100];
        long rejectedFlood = 0;

        for (int i = 0; i < 5_000_000; i++) {
            now.addAndGet(1_000);
            if (!limiter.tryAcquire("flood-" + i, flood)) {
                rejectedFlood++;
            }
            if (i % 500 == 0) {
                int key = (i / 500) % 100;
                if (limiter.tryAcquire("live-" + key, live)) {
                    admitted[key]++;
                }
            }
        }
        long used = usedHeapAfterGc() - baseline;

        // 10,000 hits per live key over 5 s of an hour-long window: exactly the capacity each.
        assertThat(admitted).containsOnly(5);
        assertThat(limiter.stats().activeBuckets()).isLessThanOrEqualTo(100_000);
        assertThat(limiter.stats().rejectedAtMaxKeys()).as("new keys rejected at the bound").isPositive();
        assertThat(used).as("heap held by the limiter at its bound").isLessThan(HEAP_BOUND_BYTES);
        System.out.printf("key flood: %d bytes retained, %d buckets, %d flood calls rejected, %d evictions%n", used,
                limiter.stats().activeBuckets(), rejectedFlood, limiter.stats().evictions());
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
