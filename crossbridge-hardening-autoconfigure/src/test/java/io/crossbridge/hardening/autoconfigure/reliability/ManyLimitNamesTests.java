package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limit names made per tenant: the in-memory limiter keeps a table per limit name for its whole
 * life (its buckets go, the table stays), so the names must be a bounded set. This pins what one
 * name costs once its buckets are gone, the figure the README gives.
 */
@Tag("reliability")
class ManyLimitNamesTests {

    /** Stated in the README: what a limit name keeps once its buckets are gone. */
    static final long BYTES_PER_NAME_BOUND = 6 * 1024;

    @Test
    void aLimitNameKeepsABoundedTableOnceItsBucketsAreGone() {
        AtomicLong now = new AtomicLong();
        long baseline = usedHeapAfterGc();
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(now::get).build();
        int names = 10_000;
        for (int i = 0; i < names; i++) {
            limiter.tryAcquire("alice", RateLimit.of("tenant-" + i, 10, Duration.ofSeconds(1)));
        }
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        limiter.cleanUp();
        long perName = (usedHeapAfterGc() - baseline) / names;

        assertThat(limiter.stats().activeBuckets()).isZero();
        assertThat(limiter.stats().limits()).hasSize(names);
        assertThat(perName).as("bytes kept per limit name").isLessThan(BYTES_PER_NAME_BOUND);
        System.out.printf("many limit names: %d bytes kept per name with no bucket left%n", perName);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
