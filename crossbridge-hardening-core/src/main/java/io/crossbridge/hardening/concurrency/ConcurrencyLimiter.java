package io.crossbridge.hardening.concurrency;

import io.crossbridge.hardening.Ticker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * At most {@link #limit()} calls of one name in flight: a call takes a permit before it runs and
 * gives it back when it ends. The limit is fixed, or moved by a {@link LimitAlgorithm} from what
 * each ended call reports ({@link #release(long, Outcome)}).
 * <p>
 * A call that finds no free permit is refused at once ({@link #tryAcquire}), or waits for one:
 * on its thread ({@link #acquire(Duration)}) or on a future that holds no thread
 * ({@link #acquireAsync}). Waiters are served first come, first served, and a new caller takes a
 * free permit only when nobody waits (as far as it can tell: one that arrives while a permit
 * passes to a waiter may take it first); a waiter that gives up (its wait ran out, its thread
 * was interrupted, its future was cancelled) leaves the queue: at once in effect, and in memory
 * at the next sweep (see {@code gaveUp}), so that giving up costs constant time.
 *
 * <h2>Concurrency protocol</h2>
 * {@code inFlight} counts the permits held, and for a moment the callers that found none and are
 * taking their add back; a permit is taken by an add that finds {@code inFlight < limit} (or, for
 * a waiter, by compare-and-set while it is), and given back by a decrement, neither under a lock. Waiters are in a
 * lock-free queue, each with its own state ({@link Waiter}: waiting, then granted or given up,
 * decided once by compare-and-set). A permit passes to a waiter by {@link #drain}: take a permit
 * as for oneself, poll the first waiter, grant it the permit; a waiter that has given up refuses
 * it, and the permit is given back. Every change that can let a waiter in (a release, a waiter
 * queued, a raised limit) is followed by a drain, so a free permit and a waiter in the queue
 * never both stay: the last of the two to change sees the other.
 * <p>
 * A lowered limit takes no permit away: calls in flight end as they would, and new ones are let
 * in once fewer than the new limit are in flight.
 */
public final class ConcurrencyLimiter {

    private static final VarHandle IN_FLIGHT;

    private static final VarHandle WAITING_COUNT;

    /** Waiters that may give up before the queue is swept of them, however few still wait. */
    private static final int SWEEP_AFTER = 64;

    static {
        try {
            IN_FLIGHT = MethodHandles.lookup().findVarHandle(ConcurrencyLimiter.class, "inFlight", int.class);
            WAITING_COUNT = MethodHandles.lookup().findVarHandle(ConcurrencyLimiter.class, "waiting", int.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;

    private final LimitAlgorithm algorithm;

    private final Ticker ticker;

    private volatile int limit;

    @SuppressWarnings("unused") // through IN_FLIGHT
    private volatile int inFlight;

    /** The waiters, and some that gave up and were not yet removed (see {@link #gaveUp}). */
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    /** Callers that wait now, counted apart since the queue may hold some that gave up. */
    @SuppressWarnings("unused") // through WAITING_COUNT
    private volatile int waiting;

    /** Waiters that gave up since the queue was last swept. */
    private final AtomicInteger gaveUpSinceSweep = new AtomicInteger();

    private final AtomicBoolean sweeping = new AtomicBoolean();

    private ConcurrencyLimiter(String name, int limit, LimitAlgorithm algorithm, Ticker ticker) {
        this.name = Objects.requireNonNull(name, "name");
        this.limit = limit;
        this.algorithm = algorithm;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * Returns a limiter of at most {@code maxConcurrent} calls in flight.
     *
     * @throws IllegalArgumentException if {@code maxConcurrent} is less than 1
     */
    public static ConcurrencyLimiter fixed(String name, int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        return new ConcurrencyLimiter(name, maxConcurrent, null, Ticker.system());
    }

    /**
     * Returns a limiter whose limit {@code algorithm} moves, timing calls with {@code ticker}.
     */
    public static ConcurrencyLimiter adaptive(String name, LimitAlgorithm algorithm, Ticker ticker) {
        int initial = algorithm.initialLimit();
        if (initial < 1) {
            throw new IllegalArgumentException("the algorithm's initial limit must be at least 1, was " + initial);
        }
        return new ConcurrencyLimiter(name, initial, algorithm, ticker);
    }

    public String name() {
        return name;
    }

    /** Returns how many calls may be in flight now. */
    public int limit() {
        return limit;
    }

    /** Returns how many calls hold a permit now. */
    public int inFlight() {
        return (int) IN_FLIGHT.getVolatile(this);
    }

    /** Returns how many callers wait for a permit now. */
    public int waiting() {
        return (int) WAITING_COUNT.getVolatile(this);
    }

    /** The queue's length, waiters that gave up and were not yet swept included: for tests. */
    int queueLength() {
        return waiters.size();
    }

    /** Whether the limit moves with the calls' latency. */
    public boolean adaptive() {
        return algorithm != null;
    }

    /**
     * Takes a permit if one is free and nobody waits for one.
     *
     * @return whether the permit was taken; if so, {@link #release} must follow exactly once
     */
    public boolean tryAcquire() {
        if ((int) WAITING_COUNT.getVolatile(this) > 0) {
            return false;
        }
        // One atomic add, where a compare-and-set would first read the count and then write it:
        // under contention each of those moves the count's cache line between cores. A caller
        // over the limit takes its add back; meanwhile another may be refused though a permit
        // was free, never let in over the limit.
        if ((int) IN_FLIGHT.getAndAdd(this, 1) < limit) {
            return true;
        }
        release();
        return false;
    }

    /**
     * Takes a permit, waiting on this thread at most {@code maxWait} for one.
     *
     * @return whether the permit was taken
     * @throws InterruptedException if the thread was interrupted while waiting (no permit held)
     */
    public boolean acquire(Duration maxWait) throws InterruptedException {
        if (tryAcquire()) {
            return true;
        }
        long waitNanos = nanos(maxWait);
        if (waitNanos <= 0) {
            return false;
        }
        ThreadWaiter waiter = new ThreadWaiter(Thread.currentThread());
        enqueue(waiter);
        // Parking counts real time, so the deadline does too rather than the ticker's.
        long start = System.nanoTime();
        while (!waiter.isGranted()) {
            long left = waitNanos - (System.nanoTime() - start);
            boolean interrupted = Thread.interrupted();
            if (left <= 0 || interrupted) {
                if (waiter.giveUp()) {
                    gaveUp();
                    if (interrupted) {
                        throw new InterruptedException("interrupted while waiting for concurrency limit '" + name + "'");
                    }
                    return false;
                }
                // Granted as it gave up: the permit is held, and the interrupt kept for the caller.
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }
            LockSupport.parkNanos(this, left);
        }
        return true;
    }

    /**
     * Takes a permit without holding a thread: the future completes when the permit is held, or
     * fails with {@link ConcurrencyLimitExceededException} when none freed within {@code maxWait}.
     * Cancelling the future, or completing it from outside ({@code orTimeout} among others), gives
     * up the wait. A cancel that returns false came too late: the future completes (perhaps a
     * moment later), and the permit is held if and only if it completes normally. A granted
     * future completes on a thread of {@code timer}, not on the thread that released the permit,
     * so that what the caller chained to it runs there, and waiters served one after another do
     * not nest on one stack.
     *
     * @param timer ends the wait and completes granted futures (a timer that refuses the wait's
     *              end fails the future with its refusal). Where permits are released on
     *              non-blocking threads, leave its {@code setRemoveOnCancelPolicy} false: removing a
     *              cancelled wait's end from the queue takes a lock, which may park
     */
    public CompletableFuture<Void> acquireAsync(Duration maxWait, ScheduledExecutorService timer) {
        Objects.requireNonNull(timer, "timer");
        if (tryAcquire()) {
            return CompletableFuture.completedFuture(null);
        }
        long waitNanos = nanos(maxWait);
        if (waitNanos <= 0) {
            return CompletableFuture.failedFuture(exceeded());
        }
        AsyncWaiter waiter = new AsyncWaiter(timer);
        enqueue(waiter);
        if (waiter.isWaiting()) {
            try {
                waiter.timeout = timer.schedule(waiter::expire, waitNanos, TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException refused) {
                if (waiter.leave()) {
                    return CompletableFuture.failedFuture(refused);
                }
            }
            if (!waiter.isWaiting()) {
                // Granted or given up while the timer was being set: it is no longer needed.
                waiter.cancelTimeout();
            }
        }
        return waiter.future;
    }

    /** Returns a permit. */
    public void release() {
        IN_FLIGHT.getAndAdd(this, -1);
        if (!waiters.isEmpty()) {
            drain();
        }
    }

    /**
     * Returns a permit taken at {@code startNanos} (a reading of this limiter's ticker), and tells
     * an adaptive limit how the call went.
     */
    public void release(long startNanos, Outcome outcome) {
        if (algorithm != null && outcome != Outcome.IGNORED) {
            long rtt = ticker.read() - startNanos;
            int updated = algorithm.update(startNanos, rtt, inFlight(), outcome == Outcome.OVERLOADED);
            // Two releases at once may write their answers out of order: the limit then lags by
            // one sample, which the next one mends. The release below drains a raised limit.
            // At least 1: a limit of 0 would admit no call, and so never hear of one again.
            int next = Math.max(1, updated);
            if (next != limit) {
                limit = next;
            }
        }
        release();
    }

    /** Returns a reading of this limiter's ticker, for {@link #release(long, Outcome)}. */
    public long startTime() {
        return ticker.read();
    }

    /** Returns the refusal of a call that found this limit full. */
    public ConcurrencyLimitExceededException exceeded() {
        return new ConcurrencyLimitExceededException(name, limit);
    }

    /** How a call that held a permit ended, for an adaptive limit. */
    public enum Outcome {

        /** The provider answered: its latency counts. */
        SUCCEEDED,

        /** The provider said it was overloaded, or the call timed out: an adaptive limit backs off. */
        OVERLOADED,

        /** The call says nothing about the provider's load (a bad request, a cancel): not counted. */
        IGNORED
    }

    private boolean take() {
        int held = (int) IN_FLIGHT.getVolatile(this);
        while (held < limit) {
            int witness = (int) IN_FLIGHT.compareAndExchange(this, held, held + 1);
            if (witness == held) {
                return true;
            }
            held = witness;
        }
        return false;
    }

    private void enqueue(Waiter waiter) {
        // Counted first, so that a caller that sees nobody waiting never overtakes one queued.
        WAITING_COUNT.getAndAdd(this, 1);
        waiters.add(waiter);
        drain();
    }

    /** Passes free permits to waiters, first come first served; see the protocol above. */
    private void drain() {
        while (!waiters.isEmpty() && take()) {
            Waiter first = waiters.poll();
            if (first != null && first.grant()) {
                // Counted before the waiter hears of it, so that nothing it runs can lose the count.
                WAITING_COUNT.getAndAdd(this, -1);
                first.onGranted();
            }
            else {
                IN_FLIGHT.getAndAdd(this, -1);
            }
        }
    }

    /**
     * A waiter gave up. It stays in the queue, where {@link #drain} skips it, rather than being
     * searched for: a search per waiter makes a long queue of waiters that give up (a flood
     * waiting out its {@code maxWait}) cost the square of its length. Once as many gave up as
     * still wait, one sweep removes them all, so the queue stays within about twice the waiters
     * and each give-up costs constant time on average.
     */
    private void gaveUp() {
        int stillWaiting = (int) WAITING_COUNT.getAndAdd(this, -1) - 1;
        if (gaveUpSinceSweep.incrementAndGet() >= Math.max(SWEEP_AFTER, stillWaiting)
                && sweeping.compareAndSet(false, true)) {
            try {
                gaveUpSinceSweep.set(0);
                waiters.removeIf(Waiter::hasGivenUp);
            }
            finally {
                sweeping.set(false);
            }
        }
    }

    /** Returns {@code duration} in nanoseconds, or {@code Long.MAX_VALUE} when it is longer. */
    static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        }
        catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** One caller waiting for a permit: waiting, then granted or given up, decided once. */
    private abstract static class Waiter {

        private static final int WAITING = 0;

        private static final int GRANTED = 1;

        private static final int GAVE_UP = 2;

        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
            }
            catch (ReflectiveOperationException ex) {
                throw new ExceptionInInitializerError(ex);
            }
        }

        @SuppressWarnings("unused") // through STATE
        private volatile int state;

        /**
         * Hands this waiter a permit; returns false if it had given up, and then it is not held.
         * The caller then tells it with {@link #onGranted}, once the grant is counted.
         */
        final boolean grant() {
            return STATE.compareAndSet(this, WAITING, GRANTED);
        }

        /** Gives up the wait; returns false if a permit was granted first, which is then held. */
        final boolean giveUp() {
            return STATE.compareAndSet(this, WAITING, GAVE_UP);
        }

        final boolean isGranted() {
            return (int) STATE.getVolatile(this) == GRANTED;
        }

        final boolean isWaiting() {
            return (int) STATE.getVolatile(this) == WAITING;
        }

        final boolean hasGivenUp() {
            return (int) STATE.getVolatile(this) == GAVE_UP;
        }

        /** Tells the waiter it holds a permit now. */
        abstract void onGranted();
    }

    private static final class ThreadWaiter extends Waiter {

        private final Thread thread;

        ThreadWaiter(Thread thread) {
            this.thread = thread;
        }

        @Override
        void onGranted() {
            LockSupport.unpark(thread);
        }
    }

    /** A waiter without a thread: its future completes when it is granted, or when the wait ends. */
    private final class AsyncWaiter extends Waiter {

        final WaitFuture future = new WaitFuture(this);

        private final ScheduledExecutorService timer;

        /** The end of the wait, once scheduled. */
        volatile Future<?> timeout;

        AsyncWaiter(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        @Override
        void onGranted() {
            try {
                timer.execute(this::completeGranted);
            }
            catch (RejectedExecutionException shutDown) {
                completeGranted();
            }
            cancelTimeout();
        }

        private void completeGranted() {
            if (!future.completeGranted()) {
                // Completed from outside despite the grant (obtruded): nobody holds the permit.
                release();
            }
        }

        void expire() {
            if (giveUp()) {
                // Completed before it leaves the queue, so that a cancel that finds it given up
                // finds it failed too.
                future.completeRefused(exceeded());
                gaveUp();
            }
        }

        /** Gives up the wait for the caller; false if it was granted, or had already ended. */
        boolean leave() {
            if (giveUp()) {
                gaveUp();
                cancelTimeout();
                return true;
            }
            return false;
        }

        /** A cancel came too late: a wait that ran out is failed now, if the timer has not yet. */
        void settle() {
            if (!isGranted()) {
                future.completeRefused(exceeded());
            }
        }

        /** Best effort: a timeout left to fire finds the wait ended, and does nothing. */
        void cancelTimeout() {
            Future<?> pending = timeout;
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

    /**
     * The future of an {@link AsyncWaiter}: cancelling it, or completing it from outside, gives
     * up the wait first.
     */
    private static final class WaitFuture extends CompletableFuture<Void> {

        private final AsyncWaiter waiter;

        WaitFuture(AsyncWaiter waiter) {
            this.waiter = waiter;
        }

        boolean completeGranted() {
            return super.complete(null);
        }

        void completeRefused(Throwable refusal) {
            super.completeExceptionally(refusal);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (waiter.leave()) {
                return super.cancel(mayInterruptIfRunning);
            }
            waiter.settle();
            return false;
        }

        @Override
        public boolean complete(Void value) {
            return waiter.leave() && super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            return waiter.leave() && super.completeExceptionally(failure);
        }
    }
}
