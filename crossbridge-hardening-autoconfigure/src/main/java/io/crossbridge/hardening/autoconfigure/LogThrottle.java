package io.crossbridge.hardening.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one log line through per interval and counts the ones it holds back, so that a provider
 * failing every call produces one warning a second with a count, not one per call. Lock-free.
 */
public final class LogThrottle {

    private final long intervalNanos;

    private final AtomicLong nextAt;

    private final AtomicLong held = new AtomicLong();

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.nextAt = new AtomicLong(System.nanoTime());
    }

    /**
     * Returns how many lines were held back since the last one let through, when this one may be
     * logged; otherwise holds it back and returns -1.
     */
    public long tryLog() {
        long now = System.nanoTime();
        long next = nextAt.get();
        if (now - next >= 0 && nextAt.compareAndSet(next, now + intervalNanos)) {
            return held.getAndSet(0);
        }
        held.incrementAndGet();
        return -1;
    }
}
