package io.crossbridge.hardening.concurrency;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * served per key; a future is completed outside that lock, on the timer's thread.
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
        // Read outside the key's compute: a figure, not a decision.
        return entry == null ? 0 : entry.inFlight;
    }

    /**
     * Takes a permit of {@code key} if one is free and nobody of that key waits.
     *
     * @return whether the permit was taken; if so, {@link #release} must follow exactly once
     */
    public boolean tryAcquire(String key) {
        return enter(key, null).permit;
    }

    /**
     * Takes a permit of {@code key} if one is free and nobody of that key waits, else queues
     * {@code waiter} if there is one; all in one compute on the key.
     */
    private Taken enter(String key, Waiter waiter) {
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
            else if (waiter != null) {
                entry.waiters.add(waiter);
                taken.queued = true;
            }
            return entry;
        });
        return taken;
    }

    /**
     * Takes a permit of {@code key} without holding a thread: the future completes when the permit
     * is held, or fails with {@link ConcurrencyLimitExceededException} when none freed within
     * {@code maxWait}. Cancelling it, or completing it from outside, gives up the wait; a cancel
     * that returns false came too late, and then the permit is held if and only if the future
     * completes normally. A granted future completes on a thread of {@code timer}, as
     * {@link ConcurrencyLimiter#acquireAsync} explains.
     *
     * @param timer ends the wait and completes granted futures (a timer that refuses the wait's
     *              end fails the future with its refusal); leave its
     *              {@code setRemoveOnCancelPolicy} false, as {@link ConcurrencyLimiter#acquireAsync}
     *              explains
     */
    public CompletableFuture<Void> acquireAsync(String key, Duration maxWait, ScheduledExecutorService timer) {
        Objects.requireNonNull(timer, "timer");
        long waitNanos = ConcurrencyLimiter.nanos(maxWait);
        Waiter waiter = waitNanos > 0 ? new Waiter(key, timer) : null;
        Taken taken = enter(key, waiter);
        if (taken.permit) {
            return CompletableFuture.completedFuture(null);
        }
        if (!taken.queued) {
            return CompletableFuture.failedFuture(exceeded());
        }
        try {
            waiter.timeout = timer.schedule(waiter::expire, waitNanos, TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException refused) {
            if (waiter.leaveQueue()) {
                return CompletableFuture.failedFuture(refused);
            }
        }
        if (waiter.state != Waiter.WAITING) {
            waiter.cancelTimeout();
        }
        return waiter;
    }

    /**
     * Takes a permit of {@code key}, waiting on this thread at most {@code maxWait} for one.
     *
     * @param timer ends the wait
     * @return whether the permit was taken
     * @throws InterruptedException if the thread was interrupted while waiting (no permit held)
     * @throws RejectedExecutionException if the timer refused the wait's end (it is shut down):
     *                                    no permit held, and not the key's share being full
     */
    public boolean acquire(String key, Duration maxWait, ScheduledExecutorService timer) throws InterruptedException {
        CompletableFuture<Void> waiting = acquireAsync(key, maxWait, timer);
        try {
            waiting.get();
            return true;
        }
        catch (ExecutionException refused) {
            if (refused.getCause() instanceof RejectedExecutionException closed) {
                throw closed;
            }
            return false;
        }
        catch (InterruptedException interrupted) {
            if (waiting.cancel(false)) {
                throw interrupted;
            }
            // Decided as it gave up: wait for the answer, and keep the interrupt for the caller.
            boolean held = waiting.handle((done, failure) -> failure == null).join();
            Thread.currentThread().interrupt();
            return held;
        }
    }

    /** Returns a permit of {@code key}, to its first waiter if it has one. */
    public void release(String key) {
        Waiter[] granted = new Waiter[1];
        entries.computeIfPresent(key, (k, entry) -> {
            Waiter next = entry.waiters.poll();
            if (next != null) {
                next.state = Waiter.GRANTED;
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
            granted[0].granted();
        }
    }

    /**
     * Returns how many calls of all keys hold a permit now: an estimate, summed key by key while
     * calls come and go, for a gauge.
     */
    public int inFlight() {
        int held = 0;
        for (Entry entry : entries.values()) {
            held += entry.inFlight;
        }
        return held;
    }

    /** Returns the refusal of a call whose key's limit was full. */
    public ConcurrencyLimitExceededException exceeded() {
        return new ConcurrencyLimitExceededException(name, maxConcurrent, true);
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
    }

    /**
     * A waiting call of one key, its own future: cancelling it, or completing it from outside,
     * gives up the wait first. Its state changes only inside a compute on its key.
     */
    private final class Waiter extends CompletableFuture<Void> {

        static final int WAITING = 0;

        static final int GRANTED = 1;

        static final int GAVE_UP = 2;

        private final String key;

        private final ScheduledExecutorService timer;

        volatile int state;

        volatile ScheduledFuture<?> timeout;

        Waiter(String key, ScheduledExecutorService timer) {
            this.key = key;
            this.timer = timer;
        }

        /** Completes a granted wait, off the releasing thread (see the class comment of acquireAsync). */
        void granted() {
            try {
                timer.execute(this::completeGranted);
            }
            catch (RejectedExecutionException shutDown) {
                completeGranted();
            }
            // Last: whatever the timer does on cancel, the grant is already on its way.
            cancelTimeout();
        }

        private void completeGranted() {
            if (!super.complete(null)) {
                // Completed from outside despite the grant (obtruded): nobody holds the permit.
                release(key);
            }
        }

        void expire() {
            if (leaveQueue()) {
                super.completeExceptionally(exceeded());
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (leaveQueue()) {
                cancelTimeout();
                return super.cancel(mayInterruptIfRunning);
            }
            if (state == GAVE_UP) {
                // The wait ran out as the cancel came: failed now, if the timer has not yet.
                super.completeExceptionally(exceeded());
            }
            return false;
        }

        @Override
        public boolean complete(Void value) {
            return leaveQueue() && super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            return leaveQueue() && super.completeExceptionally(failure);
        }

        /** Leaves the key's queue; returns false if it was no longer waiting (granted or gone). */
        boolean leaveQueue() {
            boolean[] left = new boolean[1];
            entries.computeIfPresent(key, (k, entry) -> {
                if (state == WAITING && entry.waiters.remove(this)) {
                    state = GAVE_UP;
                    left[0] = true;
                }
                return entry;
            });
            return left[0];
        }

        /** Best effort: a timeout left to fire finds the wait ended, and does nothing. */
        void cancelTimeout() {
            ScheduledFuture<?> pending = timeout;
            if (pending == null) {
                return;
            }
            try {
                pending.cancel(false);
            }
            catch (VirtualMachineError fatal) {
                throw fatal;
            }
            catch (RuntimeException | Error refused) {
                // A timer whose cancel fails (one that removes cancelled tasks under a lock, with
                // BlockHound on a non-blocking thread) must not fail the release that granted.
            }
        }
    }
}
