package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cap on retries shared by many calls: over a sliding window, retries may be at most
 * {@code ratio} times the first attempts, plus {@code minRetriesPerSecond} (the floor, so that a
 * quiet service can still retry). When a provider fails every call, the traffic sent to it grows
 * by at most that ratio, instead of {@code maxAttempts} times. The idea of Finagle's RetryBudget
 * and gRPC's retry throttling.
 * <p>
 * First attempts and ratio-funded retries are counted in {@value #SLOTS} slots covering the
 * window; the floor is a token bucket of the core {@link InMemoryRateLimiter}. Under contention
 * the ratio may be passed by at most one retry per thread deciding at the same instant.
 */
public final class RetryBudget {

    /** The window unless set. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

    private static final int SLOTS = 10;

    private static final String FLOOR_KEY = "floor";

    private final double ratio;

    private final long slotNanos;

    private final Ticker ticker;

    private final InMemoryRateLimiter floorLimiter;

    private final RateLimit floor;

    private final AtomicLongArray slotEpochs = new AtomicLongArray(SLOTS);

    private final AtomicLongArray calls = new AtomicLongArray(SLOTS);

    private final AtomicLongArray retries = new AtomicLongArray(SLOTS);

    private final LongAdder granted = new LongAdder();

    private final LongAdder refused = new LongAdder();

    private RetryBudget(double ratio, int minRetriesPerSecond, Duration window, Ticker ticker) {
        if (!(ratio >= 0) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException("ratio must be a finite number of at least 0, was " + ratio);
        }
        if (minRetriesPerSecond < 0) {
            throw new IllegalArgumentException("minRetriesPerSecond must be at least 0, was " + minRetriesPerSecond);
        }
        if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("window must be from 1 second to 1 day, was " + window);
        }
        if (ticker == null) {
            throw new IllegalArgumentException("ticker must not be null");
        }
        this.ratio = ratio;
        this.slotNanos = window.toNanos() / SLOTS;
        this.ticker = ticker;
        this.floorLimiter = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(1).build();
        this.floor = minRetriesPerSecond == 0 ? null
                : RateLimit.of("retry-budget-floor", minRetriesPerSecond, Duration.ofSeconds(1));
        for (int i = 0; i < SLOTS; i++) {
            slotEpochs.set(i, Long.MIN_VALUE);
        }
    }

    /**
     * Returns a budget over {@link #DEFAULT_WINDOW}: Finagle's defaults are a ratio of 0.2 and a
     * floor of 10 per second.
     */
    public static RetryBudget of(double ratio, int minRetriesPerSecond) {
        return of(ratio, minRetriesPerSecond, DEFAULT_WINDOW, Ticker.system());
    }

    public static RetryBudget of(double ratio, int minRetriesPerSecond, Duration window, Ticker ticker) {
        return new RetryBudget(ratio, minRetriesPerSecond, window, ticker);
    }

    /**
     * Counts a first attempt, which earns {@code ratio} retries.
     */
    public void recordCall() {
        calls.incrementAndGet(currentSlot(ticker.read()));
    }

    /**
     * Takes one retry from the budget, if it has one.
     */
    public boolean tryRetry() {
        long now = ticker.read();
        int slot = currentSlot(now);
        long epoch = Math.floorDiv(now, slotNanos);
        long callsInWindow = 0;
        long retriesInWindow = 0;
        for (int i = 0; i < SLOTS; i++) {
            long slotEpoch = slotEpochs.get(i);
            if (slotEpoch > epoch - SLOTS && slotEpoch <= epoch) {
                callsInWindow += calls.get(i);
                retriesInWindow += retries.get(i);
            }
        }
        if (retriesInWindow + 1 <= ratio * callsInWindow) {
            retries.incrementAndGet(slot);
            granted.increment();
            return true;
        }
        boolean fromTheFloor = floor != null && floorLimiter.tryAcquire(FLOOR_KEY, floor);
        (fromTheFloor ? granted : refused).increment();
        return fromTheFloor;
    }

    /**
     * Retries this budget let through since it was made, by the ratio or the floor; counted as
     * granted, before their backoff, so one cancelled during its wait counts although it never ran.
     */
    public long retriesGranted() {
        return granted.sum();
    }

    /** Retries this budget refused since it was made. */
    public long retriesRefused() {
        return refused.sum();
    }

    /** Returns the slot of {@code now}, emptied first when it still counts an older epoch. */
    private int currentSlot(long now) {
        long epoch = Math.floorDiv(now, slotNanos);
        int slot = Math.floorMod(epoch, SLOTS);
        long seen = slotEpochs.get(slot);
        if (seen != epoch && slotEpochs.compareAndSet(slot, seen, epoch)) {
            calls.set(slot, 0);
            retries.set(slot, 0);
        }
        return slot;
    }
}
