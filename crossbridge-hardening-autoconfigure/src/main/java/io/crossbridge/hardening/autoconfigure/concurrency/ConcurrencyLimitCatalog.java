package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.concurrency.AimdLimit;
import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;
import io.crossbridge.hardening.concurrency.GradientLimit;
import io.crossbridge.hardening.concurrency.KeyedConcurrencyLimiter;
import io.crossbridge.hardening.concurrency.LimitAlgorithm;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's concurrency limits by name, as the properties configure them, and the timer
 * their asynchronous waits run on. Annotations look theirs up here, so an unknown name fails at
 * startup. Closing the catalog stops the timer.
 */
public final class ConcurrencyLimitCatalog implements AutoCloseable {

    private static final String PREFIX = "crossbridge.hardening.concurrency.limits.";

    private final Map<String, NamedConcurrencyLimit> limits;

    private final ScheduledThreadPoolExecutor timer;

    private final ExecutorService granted;

    private ConcurrencyLimitCatalog(Map<String, NamedConcurrencyLimit> limits) {
        this.limits = Collections.unmodifiableMap(limits);
        this.timer = new ScheduledThreadPoolExecutor(1, new NamedThreads("crossbridge-concurrency-timer-"));
        // Not setRemoveOnCancelPolicy(true): removing a cancelled wait's end takes the timer
        // queue's lock, and grants are given on Reactor's non-blocking threads, where a contended
        // lock parks (BlockHound fails the grant half done). A wait that ends early leaves its
        // end queued until its max-wait: at most calls per second times max-wait small tasks.
        this.timer.setRemoveOnCancelPolicy(false);
        // As many threads as calls let in after a wait at once, which their limits bound.
        this.granted = Executors.newCachedThreadPool(new NamedThreads("crossbridge-concurrency-granted-"));
    }

    /**
     * Returns the limits the properties describe, adaptive ones timed by {@code ticker}.
     *
     * @throws InvalidPropertyException naming the first property that holds a bad value
     */
    public static ConcurrencyLimitCatalog of(ConcurrencyProperties properties, Ticker ticker) {
        Map<String, NamedConcurrencyLimit> limits = new LinkedHashMap<>();
        properties.getLimits().forEach((name, settings) -> limits.put(name, limit(name, settings, ticker)));
        return new ConcurrencyLimitCatalog(limits);
    }

    public Optional<NamedConcurrencyLimit> find(String name) {
        return Optional.ofNullable(limits.get(name));
    }

    public Set<String> names() {
        return limits.keySet();
    }

    public Collection<NamedConcurrencyLimit> all() {
        return limits.values();
    }

    /**
     * Ends the waits of asynchronous callers and completes their granted futures; one thread for
     * every limit, so it runs nothing of the application's.
     */
    public ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * Runs an asynchronous call that got its place after a wait, off the timer: the method's
     * body may block before it hands its work off, and must hold up no other limit's waits.
     */
    public Executor granted() {
        return this::runGranted;
    }

    private void runGranted(Runnable call) {
        try {
            granted.execute(call);
        }
        catch (RejectedExecutionException closed) {
            // Closing: the call, or its refusal, is answered on this thread rather than never.
            call.run();
        }
    }

    @Override
    public void close() {
        // Not shutdownNow, which drops the ends of waits under way: their callers would wait
        // for ever. The waits end at their max-wait as they would have, on a daemon thread.
        timer.shutdown();
        granted.shutdown();
    }

    private static NamedConcurrencyLimit limit(String name, ConcurrencyProperties.Limit settings, Ticker ticker) {
        String at = PREFIX + name + ".";
        if (settings.getMaxConcurrent() < 1) {
            throw new InvalidPropertyException(at + "max-concurrent", settings.getMaxConcurrent(), "It must be at least 1.");
        }
        Duration maxWait = settings.getMaxWait();
        if (maxWait == null || maxWait.isNegative()) {
            throw new InvalidPropertyException(at + "max-wait", maxWait, "It must be 0 (refuse at once) or more.");
        }
        if (settings.getMaxKeys() < 1) {
            throw new InvalidPropertyException(at + "max-keys", settings.getMaxKeys(), "It must be at least 1.");
        }
        KeyedConcurrencyLimiter keyed = new KeyedConcurrencyLimiter(name, settings.getMaxConcurrent(), settings.getMaxKeys());
        if (!settings.isAdaptive()) {
            return new NamedConcurrencyLimit(name, settings, ConcurrencyLimiter.fixed(name, settings.getMaxConcurrent()), keyed);
        }
        return new NamedConcurrencyLimit(name, settings, ConcurrencyLimiter.adaptive(name, algorithm(at, settings), ticker),
                keyed);
    }

    private static LimitAlgorithm algorithm(String at, ConcurrencyProperties.Limit settings) {
        if (settings.getMin() < 1) {
            throw new InvalidPropertyException(at + "min", settings.getMin(), "It must be at least 1.");
        }
        if (settings.getMax() < settings.getMin()) {
            throw new InvalidPropertyException(at + "max", settings.getMax(), "It must be at least min ("
                    + settings.getMin() + ").");
        }
        int initial = settings.getMaxConcurrent();
        if (initial < settings.getMin() || initial > settings.getMax()) {
            throw new InvalidPropertyException(at + "max-concurrent", initial, "An adaptive limit starts there, so it must be "
                    + "from min (" + settings.getMin() + ") to max (" + settings.getMax() + ").");
        }
        if (settings.getAlgorithm() == null) {
            throw new InvalidPropertyException(at + "algorithm", null, "It must be gradient or aimd.");
        }
        if (settings.getAlgorithm() == ConcurrencyProperties.Algorithm.GRADIENT) {
            return new GradientLimit(initial, settings.getMin(), settings.getMax());
        }
        Duration slow = settings.getSlowCallDuration();
        if (slow == null || slow.isNegative() || slow.isZero()) {
            throw new InvalidPropertyException(at + "slow-call-duration", slow, "It must be positive.");
        }
        return new AimdLimit(initial, settings.getMin(), settings.getMax(), AimdLimit.DEFAULT_BACKOFF_RATIO, slow);
    }

    /** Daemon threads named for what they do, so a thread dump says whose they are. */
    private static final class NamedThreads implements ThreadFactory {

        private final String prefix;

        private final AtomicInteger count = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
