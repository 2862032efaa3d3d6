package io.crossbridge.hardening.ratelimit;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.ratelimit.LimitTable.LimitSpec;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The default {@link RateLimiter}: buckets in this JVM's memory.
 * <p>
 * Each bucket is one {@code long} updated by compare-and-set (GCRA, see {@link Gcra}) in a hash
 * table without an object per bucket ({@link BucketTable}); a request takes no lock (except
 * while the one segment it needs is being resized) and allocates nothing.
 *
 * <h2>Memory</h2>
 * A bucket that has refilled completely decides exactly like a new one, so it is dropped: when a
 * new bucket is made and at least the {@linkplain Builder#cleanupInterval cleanup interval} has
 * passed since the last sweep, that caller sweeps every full bucket away; {@link #cleanUp()}
 * does the same on demand.
 * <p>
 * At most {@linkplain Builder#maxKeys max-keys} buckets exist at once, over all limits. When a
 * new key arrives at that bound, the full buckets of one block of the table are dropped, found by
 * each block's own lower bound on when its first bucket is full (64 slots, so a flood costs each
 * admitted key a small sweep, and a refused one a few reads); only if no bucket can go is the
 * request <em>rejected</em>, with a retry-after until the first bucket can go, and counted in
 * {@link RateLimiterStats#rejectedAtMaxKeys()}. The live buckets are never dropped to make room:
 * their keys would start over with a full bucket, so a flood of fresh keys would buy every
 * existing key extra tokens. Rejecting the newcomer keeps every limit exact; the price is that a
 * flood of keys can lock out new keys (never known ones) until buckets refill.
 *
 * <h2>Time</h2>
 * Time comes from the {@link Ticker} as nanoseconds since this limiter was made, held within
 * +/-2^61 ns (73 years), which keeps the arithmetic in {@link Gcra} free of overflow. A ticker
 * that jumps backward makes buckets owe more, never less; one that jumps forward refills them, as
 * elapsed time does.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    /** The default bound on buckets held at once. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    /** The default least time between two sweeps made by callers. */
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofSeconds(10);

    private static final long MAX_TIME = (1L << 61) - 1;

    /**
     * Outcome of {@link #take} when the key has no bucket and none can be made; distinct from
     * {@link Gcra}'s sentinels and {@link BucketTable#ABSENT}.
     */
    private static final long AT_MAX_KEYS = Long.MIN_VALUE + 3;

    private final Ticker ticker;

    private final long origin;

    private final int maxKeys;

    private final long cleanupIntervalNanos;

    /** Resolved limits, one per slot, see {@link #resolve}; a power of two. */
    private final LimitSpec[] resolved = new LimitSpec[64];

    private final ConcurrentHashMap<String, LimitTable> tables = new ConcurrentHashMap<>();

    /** Buckets held, over all tables; a slot is reserved before a bucket is published. */
    private final AtomicInteger bucketCount = new AtomicInteger();

    /**
     * A lower bound on the time at which any held bucket is full again; no sweep can drop anything
     * before it. Lowered when a bucket is made, recomputed by each sweep.
     */
    private final AtomicLong nextFullAt = new AtomicLong(Long.MAX_VALUE);

    private final AtomicBoolean sweeping = new AtomicBoolean();

    private final LongAdder sweeps = new LongAdder();

    private volatile long lastSweep;

    private final LongAdder evictions = new LongAdder();

    private final LongAdder rejectedAtMaxKeys = new LongAdder();

    /**
     * Creates a limiter with the system ticker and the default bounds.
     */
    public InMemoryRateLimiter() {
        this(builder());
    }

    private InMemoryRateLimiter(Builder builder) {
        this.ticker = builder.ticker;
        this.origin = builder.ticker.read();
        this.maxKeys = builder.maxKeys;
        this.cleanupIntervalNanos = builder.cleanupInterval.toNanos();
    }

    /**
     * Returns a builder for a limiter with a custom ticker or bounds.
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean tryAcquire(String key, RateLimit limit, int tokens) {
        return decide(resolve(limit), key, tokens) > 0;
    }

    @Override
    public RateLimitDecision acquire(String key, RateLimit limit, int tokens) {
        LimitSpec spec = resolve(limit);
        long outcome = decide(spec, key, tokens);
        long tokenNanos = spec.nanosPerToken();
        if (outcome > 0) {
            return decision(true, (spec.span() - outcome) / (double) tokenNanos, 0, outcome);
        }
        long wait = waitNanos(outcome, spec);
        if (outcome == AT_MAX_KEYS) {
            return decision(false, 0, wait, 0);
        }
        long cost = tokens * tokenNanos;
        return decision(false, (cost - wait) / (double) tokenNanos, wait, spec.span() - cost + wait);
    }

    /**
     * Allocates nothing when allowed: the annotation's interceptor calls this on every call.
     */
    @Override
    public void acquireOrThrow(String key, RateLimit limit, int tokens) {
        LimitSpec spec = resolve(limit);
        long outcome = decide(spec, key, tokens);
        if (outcome <= 0) {
            throw new RateLimitExceededException(key, limit, Duration.ofNanos(waitNanos(outcome, spec)));
        }
    }

    @Override
    public double remaining(String key, RateLimit limit) {
        LimitTable table = table(limit);
        checkKey(key, limit);
        LimitSpec spec = table.spec(limit);
        long tat = table.buckets.theoreticalArrival(key);
        if (tat == Gcra.RETIRED) {
            return limit.capacity();
        }
        long debt = Math.max(tat - now(), 0);
        return Math.max(spec.span() - debt, 0) / (double) spec.nanosPerToken();
    }

    @Override
    public void reset(String key, RateLimit limit) {
        LimitTable table = table(limit);
        checkKey(key, limit);
        resetIn(table, key);
    }

    @Override
    public void reset(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("key must not be null or blank");
        }
        for (LimitTable table : tables.values()) {
            resetIn(table, key);
        }
    }

    @Override
    public void resetAll() {
        for (LimitTable table : tables.values()) {
            bucketCount.addAndGet(-table.buckets.retireAll());
        }
    }

    @Override
    public RateLimiterStats stats() {
        Map<String, RateLimiterStats.LimitStats> limits = new HashMap<>();
        tables.forEach((name, table) -> limits.put(name, table.stats()));
        return new RateLimiterStats(bucketCount.get(), evictions.sum(), rejectedAtMaxKeys.sum(), limits);
    }

    /**
     * Drops every bucket that has refilled completely. Returns at once, dropping nothing, while
     * another thread is sweeping.
     *
     * @return the number of buckets dropped
     */
    public int cleanUp() {
        return sweep(now());
    }

    private long decide(LimitSpec spec, String key, int tokens) {
        if (key == null) {
            throw missingKey(spec);
        }
        if (tokens <= 0 || tokens > spec.limit().capacity()) {
            // A missing key is the first error, as on every store; a blank key is otherwise
            // checked only when it has no bucket (below), which a blank key never has.
            if (key.isBlank()) {
                throw missingKey(spec);
            }
            spec.limit().checkTokens(tokens);
        }
        LimitTable table = spec.table();
        long outcome = take(spec, key, tokens * spec.nanosPerToken(), now());
        if (outcome > 0) {
            table.allowed.increment();
        }
        else {
            table.rejected.increment();
            if (outcome == AT_MAX_KEYS) {
                rejectedAtMaxKeys.increment();
            }
        }
        return outcome;
    }

    private long take(LimitSpec spec, String key, long cost, long now) {
        LimitTable table = spec.table();
        long span = spec.span();
        long outcome = table.buckets.take(key, now, cost, span);
        while (outcome == BucketTable.ABSENT) {
            // Checked here, not on every call: a blank key is never given a bucket.
            if (key.isBlank()) {
                throw missingKey(spec);
            }
            if (!reserveSlot(now)) {
                return AT_MAX_KEYS;
            }
            // A new bucket is full, and a full bucket grants any cost up to its span.
            if (table.buckets.insert(key, now + cost)) {
                nextFullAt.accumulateAndGet(now + cost, Math::min);
                return cost;
            }
            bucketCount.decrementAndGet();
            outcome = table.buckets.take(key, now, cost, span);
        }
        return outcome;
    }

    /** A request without a key is refused, and counted as refused. */
    private static MissingRateLimitKeyException missingKey(LimitSpec spec) {
        spec.table().rejected.increment();
        return new MissingRateLimitKeyException(spec.limit().name());
    }

    private boolean reserveSlot(long now) {
        if (tryReserveSlot()) {
            if (now - lastSweep >= cleanupIntervalNanos && now >= nextFullAt.get()) {
                sweep(now);
            }
            return true;
        }
        // At the bound: a new key is refused only when no bucket can go. Below nextFullAt none
        // can, which costs a refusal one read; past it, reclaim sweeps the segments whose own
        // bound has come, one at a time, until one frees a slot.
        while (now >= nextFullAt.get()) {
            if (reclaim(now) == 0) {
                break;
            }
            if (tryReserveSlot()) {
                return true;
            }
        }
        return tryReserveSlot();
    }

    /**
     * Drops the full buckets of the first segment, over all tables, that holds any; when none
     * does, makes {@link #nextFullAt} the earliest time one will, from the segments' own bounds,
     * which every segment swept here has just made exact.
     *
     * @return the buckets dropped
     */
    private int reclaim(long now) {
        long seen = nextFullAt.get();
        for (LimitTable table : tables.values()) {
            int dropped = table.buckets.retireFull(now, true);
            if (dropped > 0) {
                bucketCount.addAndGet(-dropped);
                evictions.add(dropped);
                return dropped;
            }
        }
        publishEarliest(seen);
        return 0;
    }

    /**
     * Makes the earliest of the segments' bounds the global one, unless that changed since
     * {@code seen}, then lowers it again to any segment bound below it: a bucket made while the
     * bound was computed lowers its segment's bound before the global one, so the second pass
     * sees it even when its own update of the global bound came first and so changed nothing.
     */
    private void publishEarliest(long seen) {
        if (nextFullAt.compareAndSet(seen, earliestBound())) {
            nextFullAt.accumulateAndGet(earliestBound(), Math::min);
        }
    }

    private long earliestBound() {
        long earliest = Long.MAX_VALUE;
        for (LimitTable table : tables.values()) {
            earliest = Math.min(earliest, table.buckets.earliestBound());
        }
        return earliest;
    }

    private boolean tryReserveSlot() {
        for (;;) {
            int count = bucketCount.get();
            if (count >= maxKeys) {
                return false;
            }
            if (bucketCount.compareAndSet(count, count + 1)) {
                return true;
            }
        }
    }

    private int sweep(long now) {
        if (!sweeping.compareAndSet(false, true)) {
            return 0;
        }
        try {
            // The bound stays as it is while the sweep runs, so that new keys at max-keys still
            // find what can go; it is published, with the buckets made meanwhile, at the end.
            long seen = nextFullAt.get();
            int dropped = 0;
            for (LimitTable table : tables.values()) {
                dropped += table.buckets.retireFull(now, false);
            }
            bucketCount.addAndGet(-dropped);
            publishEarliest(seen);
            lastSweep = now;
            sweeps.increment();
            evictions.add(dropped);
            return dropped;
        }
        finally {
            sweeping.set(false);
        }
    }

    /** Sweeps made since creation, for tests of the sweep's amortization. */
    long sweeps() {
        return sweeps.sum();
    }

    private void resetIn(LimitTable table, String key) {
        if (table.buckets.retire(key)) {
            bucketCount.decrementAndGet();
        }
    }

    /**
     * The limit's table and costs. Most callers pass one constant {@link RateLimit} per limit,
     * so {@link #resolved} keeps one per slot, chosen by the name's hash: a hit is one read and
     * an identity (or equality) check, where the lookup by name costs a map probe and the
     * table's own check. A slot changes hands only to a limit of the same name (a changed
     * limit); limits of other names that meet a taken slot are looked up by name every time,
     * rather than evicting each other in an array every thread reads. So the first name to take
     * a slot keeps it, busy or not; the others are no slower than before there were slots.
     */
    private LimitSpec resolve(RateLimit limit) {
        if (limit == null) {
            throw new IllegalArgumentException("limit must not be null");
        }
        int slot = limit.name().hashCode() & (resolved.length - 1);
        LimitSpec cached = resolved[slot];
        if (cached != null && (cached.limit() == limit || cached.limit().equals(limit))) {
            return cached;
        }
        LimitSpec spec = table(limit).spec(limit);
        if (cached == null || cached.limit().name().equals(limit.name())) {
            // A racy write: a reader that misses it, or sees another slot's older value, only
            // takes the lookup by name, since a hit needs the limit itself; and a LimitSpec's
            // fields are final, so one seen is seen whole. Tables are never removed.
            resolved[slot] = spec;
        }
        return spec;
    }

    private LimitTable table(RateLimit limit) {
        if (limit == null) {
            throw new IllegalArgumentException("limit must not be null");
        }
        LimitTable table = tables.get(limit.name());
        return table != null ? table : tables.computeIfAbsent(limit.name(), name -> new LimitTable(limit));
    }

    private long now() {
        long elapsed = ticker.read() - origin;
        return Math.max(-MAX_TIME, Math.min(MAX_TIME, elapsed));
    }

    private static void checkKey(String key, RateLimit limit) {
        if (key == null || key.isBlank()) {
            throw new MissingRateLimitKeyException(limit.name());
        }
    }

    /** The wait until a rejected request could be allowed. */
    private long waitNanos(long outcome, LimitSpec spec) {
        if (outcome == AT_MAX_KEYS) {
            // Until the first bucket can be dropped; while a sweep runs that is unknown, and no
            // bucket of this limit can take longer than its span.
            return Math.min(Math.max(1, nextFullAt.get() - now()), spec.span());
        }
        return -outcome;
    }

    private static RateLimitDecision decision(boolean allowed, double remaining, long retryAfterNanos,
            long timeToFullNanos) {
        return new RateLimitDecision(allowed, remaining, Duration.ofNanos(retryAfterNanos),
                Duration.ofNanos(timeToFullNanos));
    }

    /**
     * Settings of an {@link InMemoryRateLimiter}.
     */
    public static final class Builder {

        private Ticker ticker = Ticker.system();

        private int maxKeys = DEFAULT_MAX_KEYS;

        private Duration cleanupInterval = DEFAULT_CLEANUP_INTERVAL;

        private Builder() {
        }

        /**
         * Sets the time source; tests pass a fake one.
         */
        public Builder ticker(Ticker ticker) {
            if (ticker == null) {
                throw new IllegalArgumentException("ticker must not be null");
            }
            this.ticker = ticker;
            return this;
        }

        /**
         * Sets the most buckets held at once, over all limits; at least 1.
         */
        public Builder maxKeys(int maxKeys) {
            if (maxKeys < 1) {
                throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
            }
            this.maxKeys = maxKeys;
            return this;
        }

        /**
         * Sets the least time between two sweeps for full buckets made on the request path; zero
         * sweeps whenever one could drop something.
         */
        public Builder cleanupInterval(Duration cleanupInterval) {
            if (cleanupInterval == null || cleanupInterval.isNegative()) {
                throw new IllegalArgumentException("cleanupInterval must be zero or positive, was " + cleanupInterval);
            }
            this.cleanupInterval = cleanupInterval;
            return this;
        }

        public InMemoryRateLimiter build() {
            return new InMemoryRateLimiter(this);
        }
    }
}
