package io.crossbridge.hardening.concurrency;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code maxConcurrent} calls in flight per key (a user, a tenant): the fairness of one
 * name among its callers, where {@link ConcurrencyLimiter} guards one provider's capacity.
 * <p>
 * A key holds memory only while it has calls in flight or waiting: its entry goes when its last
 * permit comes back, so idle keys cost nothing, as the rate limiter's full buckets. At most
 * {@code maxKeys} keys hold entries at once; a call of a new key beyond that is refused, never an
 * entry of another key dropped, which would let that key's calls in over its limit.
 * <p>
 * Each key's count and its waiters change only inside {@link ConcurrentHashMap#compute} on that
 * key, which locks the key's bin and nothing else: a key's calls are exact without a lock of
 * their own, and calls of other keys go on in parallel. Waiters are served first come, first
 * served per key; a future is completed outside that lock.
 */
public final class KeyedConcurrencyLimiter {

    private final String name;

    private final int maxConcurrent;

    private final int maxKeys;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Entries held; counted apart from the map, whose size is an estimate. */
    private final AtomicInteger keys = new AtomicInteger();

    /**
     * @throws IllegalArgumentException if {@code maxConcurrent} or {@code maxKeys} is below 1
     */
    public KeyedConcurrencyLimiter(String name, int maxConcurrent, int maxKeys) {
        this.name = Objects.requireNonNull(name, "name");
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
        }
        this.maxConcurrent = maxConcurrent;
        this.maxKeys = maxKeys;
    }

    public String name() {
        return name;
    }

    /** Returns how many calls of one key may be in flight. */
    public int limit() {
        return maxConcurrent;
    }

    /** Returns how many keys have calls in flight or waiting. */
    public int keys() {
        return keys.get();
    }

    /** Returns how many calls of {@code key} hold a permit. */
    public int inFlight(String key) {
        Entry entry = entries.get(key);
        return entry == null ? 0 : entry.inFlightNow();
    }

    /**
     * Takes a permit of {@code key} if one is free and nobody of that key waits.
     *
     * @return whether the permit was taken; if so, {@link #release} must follow exactly once
     */
    public boolean tryAcquire(String key) {
        Taken taken = new Taken();
        entries.compute(key, (k, entry) -> {
            if (entry == null) {
                if (!reserveKey()) {
                    return null;
                }
                entry = new Entry();
            }
            if (entry.inFlight < maxConcurrent && entry.waiters.isEmpty()) {
                entry.inFlight++;
                taken.permit = true;
            }
            return entry;
        });
        return taken.permit;
    }

    /**
     * Takes a permit of {@code key} without holding a thread: the future completes when the permit
     * is held, or fails with {@link ConcurrencyLimitExceededException} when none freed within
     * {@code maxWait}. Cancelling the future gives up the wait; if the permit was granted first,
     * the cancel fails and the permit is held.
     *
     * @param timer runs the end of the wait
     */
    public CompletableFuture<Void> acquireAsync(String key, Duration maxWait, ScheduledExecutorService timer) {
        if (tryAcquire(key)) {
            return CompletableFuture.completedFuture(null);
        }
        long waitNanos = maxWait.toNanos();
        if (waitNanos <= 0) {
            return CompletableFuture.failedFuture(exceeded());
        }
        Waiter waiter = new Waiter(key);
        Taken taken = new Taken();
        entries.compute(key, (k, entry) -> {
            if (entry == null) {
                if (!reserveKey()) {
                    return null;
                }
                entry = new Entry();
            }
            if (entry.inFlight < maxConcurrent && entry.waiters.isEmpty()) {
                entry.inFlight++;
                taken.permit = true;
            }
            else {
                entry.waiters.add(waiter);
                taken.queued = true;
            }
            return entry;
        });
        if (taken.permit) {
            return CompletableFuture.completedFuture(null);
        }
        if (!taken.queued) {
            return CompletableFuture.failedFuture(exceeded());
        }
        waiter.timeout = timer.schedule(waiter::expire, waitNanos, TimeUnit.NANOSECONDS);
        if (waiter.isDone()) {
            waiter.timeout.cancel(false);
        }
        return waiter;
    }

    /**
     * Takes a permit of {@code key}, waiting on this thread at most {@code maxWait} for one.
     *
     * @return whether the permit was taken
     * @throws InterruptedException if the thread was interrupted while waiting (no permit held)
     */
    public boolean acquire(String key, Duration maxWait, ScheduledExecutorService timer) throws InterruptedException {
        CompletableFuture<Void> waiting = acquireAsync(key, maxWait, timer);
        try {
            waiting.get(maxWait.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            return true;
        }
        catch (ExecutionException refused) {
            return false;
        }
        catch (InterruptedException | TimeoutException ex) {
            if (waiting.cancel(false)) {
                if (ex instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                return false;
            }
            // Granted as it gave up: the permit is held, and the interrupt kept for the caller.
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return !waiting.isCompletedExceptionally();
        }
    }

    /** Returns a permit of {@code key}, to its first waiter if it has one. */
    public void release(String key) {
        Waiter[] granted = new Waiter[1];
        entries.computeIfPresent(key, (k, entry) -> {
            Waiter next = entry.waiters.poll();
            if (next != null) {
                granted[0] = next;
                return entry;
            }
            if (--entry.inFlight > 0) {
                return entry;
            }
            keys.decrementAndGet();
            return null;
        });
        if (granted[0] != null) {
            granted[0].complete(null);
            granted[0].cancelTimeout();
        }
    }

    /** Returns the refusal of a call whose key's limit was full. */
    public ConcurrencyLimitExceededException exceeded() {
        return new ConcurrencyLimitExceededException(name, maxConcurrent);
    }

    private boolean reserveKey() {
        int held = keys.get();
        while (held < maxKeys) {
            int witness = keys.compareAndExchange(held, held + 1);
            if (witness == held) {
                return true;
            }
            held = witness;
        }
        return false;
    }

    /** What a compute on the map did, for the caller outside it. */
    private static final class Taken {

        boolean permit;

        boolean queued;
    }

    /** One key's calls: changed only inside a compute on that key. */
    private static final class Entry {

        int inFlight;

        final ArrayDeque<Waiter> waiters = new ArrayDeque<>(2);

        /** A read outside the compute: for figures only. */
        int inFlightNow() {
            return inFlight;
        }
    }

    /** A waiting call of one key, its own future: cancelling it gives up the wait. */
    private final class Waiter extends CompletableFuture<Void> {

        private final String key;

        volatile ScheduledFuture<?> timeout;

        Waiter(String key) {
            this.key = key;
        }

        void expire() {
            if (leaveQueue()) {
                completeExceptionally(exceeded());
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (leaveQueue()) {
                cancelTimeout();
                return super.cancel(mayInterruptIfRunning);
            }
            return false;
        }

        /** Leaves the key's queue; returns false if it was no longer there (it was granted). */
        private boolean leaveQueue() {
            boolean[] left = new boolean[1];
            entries.computeIfPresent(key, (k, entry) -> {
                left[0] = entry.waiters.remove(this);
                if (entry.inFlight == 0 && entry.waiters.isEmpty()) {
                    keys.decrementAndGet();
                    return null;
                }
                return entry;
            });
            return left[0];
        }

        void cancelTimeout() {
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }
}
