package io.crossbridge.hardening;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker that moves only when a test moves it.
 */
public final class FakeTicker implements Ticker {

    private final AtomicLong nanos;

    public FakeTicker() {
        this(0);
    }

    public FakeTicker(long start) {
        this.nanos = new AtomicLong(start);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    public FakeTicker advance(Duration duration) {
        return advanceNanos(duration.toNanos());
    }

    public FakeTicker advanceNanos(long delta) {
        nanos.addAndGet(delta);
        return this;
    }
}
