package io.crossbridge.hardening.health;

import io.crossbridge.hardening.Ticker;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The health checks of a service, run in parallel with a timeout each, judged against a failure
 * threshold, and optionally kept fresh on a schedule so that readers never call a provider.
 * <p>
 * A run fails when the check throws, times out or returns unhealthy. Fewer than
 * {@code failureThreshold} failures in a row report {@link HealthStatus#DEGRADED} with the
 * failure's message, as many or more report {@link HealthStatus#UNHEALTHY}; any other result
 * resets the count. A check never throws out of the registry: a failure is a result.
 * <p>
 * Checks run on a pool of daemon threads with a thread for every check (at least the configured
 * number), since a check has at most one run in flight: a check that hangs holds its own thread,
 * never another check's, so {@link #runAll()} takes as long as the slowest check, at most the
 * timeout. A run that times out is interrupted. A check that hangs anyway keeps its thread, but is
 * not started again while that run is in flight: each later round reports it as timed out, so a
 * hung provider costs one thread, not one per round.
 * A check that {@linkplain HealthCheck#answersAtOnce() answers at once} runs on the thread that
 * asks, off the pool. {@link #close()} interrupts what still runs; a check that ignores
 * interrupts keeps its (daemon) thread until it returns.
 */
public final class HealthRegistry implements AutoCloseable {

    /** The time a check may take unless set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Failed runs in a row that make a check unhealthy, unless set. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;

    /** Threads that run checks, unless set. */
    public static final int DEFAULT_THREADS = 4;

    private static final System.Logger LOGGER = System.getLogger(HealthRegistry.class.getName());

    private final Duration timeout;

    private final int failureThreshold;

    private final Clock clock;

    private final Ticker ticker;

    private final HealthListener listener;

    private final ThreadPoolExecutor executor;

    private final int threads;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private ScheduledExecutorService monitor;

    private volatile long staleAfterNanos = Long.MAX_VALUE;

    private volatile boolean closed;

    private HealthRegistry(Builder builder) {
        this.timeout = builder.timeout;
        this.failureThreshold = builder.failureThreshold;
        this.clock = builder.clock;
        this.ticker = builder.ticker;
        this.listener = builder.listener;
        this.threads = builder.threads;
        this.executor = new ThreadPoolExecutor(builder.threads, builder.threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("crossbridge-health-"));
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Returns a registry with the default timeout, threshold and pool size.
     */
    public HealthRegistry() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds a check under a name.
     *
     * @throws IllegalArgumentException when the name is blank or already taken
     */
    public void register(String name, HealthCheck check) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name of a health check must not be null or blank");
        }
        if (check == null) {
            throw new IllegalArgumentException("health check '" + name + "' must not be null");
        }
        if (entries.putIfAbsent(name, new Entry(name, check)) != null) {
            throw new IllegalArgumentException("a health check named '" + name + "' is already registered");
        }
        sizePool();
    }

    /**
     * Removes a check and its results.
     *
     * @return whether there was one
     */
    public boolean unregister(String name) {
        boolean removed = entries.remove(name) != null;
        sizePool();
        return removed;
    }

    /**
     * Returns the registered check names.
     */
    public List<String> names() {
        List<String> names = new ArrayList<>(entries.keySet());
        Collections.sort(names);
        return names;
    }

    /**
     * Runs one check now, waiting at most the timeout.
     *
     * @throws IllegalArgumentException when no check has that name
     */
    public HealthResult run(String name) {
        checkOpen();
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no health check named '" + name + "'; registered: " + names());
        }
        return entry.runWithin(System.nanoTime() + timeout.toNanos());
    }

    /**
     * Runs every check now, in parallel, and returns within the timeout however the checks
     * behave.
     */
    public HealthReport runAll() {
        checkOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Entry, Run> runs = new LinkedHashMap<>();
        Map<String, HealthResult> results = new HashMap<>();
        for (Entry entry : entries.values()) {
            Run run = entry.start();
            if (run == null) {
                results.put(entry.name, entry.stillRunning());
            }
            else {
                runs.put(entry, run);
            }
        }
        runs.forEach((entry, run) -> results.put(entry.name, entry.await(run, deadline)));
        return report(results);
    }

    /**
     * Runs one check soon, off the calling thread, so that its result is fresh without the caller
     * waiting for it: for a state change that the check reports.
     *
     * @throws IllegalArgumentException when no check has that name
     */
    public void refresh(String name) {
        checkOpen();
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no health check named '" + name + "'; registered: " + names());
        }
        if (entry.check.answersAtOnce()) {
            executor.execute(entry::start);
        }
        else {
            // Started on the pool, not awaited: a run awaited from a pool thread could time out
            // waiting for a thread of its own.
            entry.start();
        }
    }

    /**
     * Returns the last result of a check, marked stale when monitoring should have replaced it
     * twice over; empty before its first run.
     */
    public Optional<HealthResult> lastResult(String name) {
        Entry entry = entries.get(name);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.last());
    }

    /**
     * Returns what a reader should show for a check without waiting on a run it did not start:
     * the last result; before the first one, a run started now and awaited within the timeout;
     * or empty while the first run, started elsewhere (by monitoring), is still on its way.
     *
     * @throws IllegalArgumentException when no check has that name
     */
    public Optional<HealthResult> lastOrFirstRun(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no health check named '" + name + "'; registered: " + names());
        }
        HealthResult last = entry.last();
        if (last != null) {
            return Optional.of(last);
        }
        checkOpen();
        Run run = entry.startIfIdle();
        return run == null ? Optional.ofNullable(entry.last())
                : Optional.of(entry.await(run, System.nanoTime() + timeout.toNanos()));
    }

    /**
     * Returns a report of the last results, without running anything. Checks that never ran are
     * left out.
     */
    public HealthReport lastReport() {
        Map<String, HealthResult> results = new HashMap<>();
        for (Entry entry : entries.values()) {
            HealthResult last = entry.last();
            if (last != null) {
                results.put(entry.name, last);
            }
        }
        return report(results);
    }

    /**
     * Returns the names of the checks whose last result is unhealthy.
     */
    public List<String> failedChecks() {
        return lastReport().failed();
    }

    /**
     * Returns whether no check's last result is unhealthy.
     */
    public boolean isHealthy() {
        return lastReport().healthy();
    }

    /**
     * Runs every check now and then every {@code interval}, on a daemon thread, keeping the last
     * results fresh.
     */
    public synchronized void start(Duration interval) {
        checkOpen();
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        if (monitor != null) {
            throw new IllegalStateException("health monitoring has already started");
        }
        staleAfterNanos = interval.multipliedBy(2).toNanos();
        monitor = Executors.newSingleThreadScheduledExecutor(daemonThreads("crossbridge-health-monitor-"));
        monitor.scheduleWithFixedDelay(this::runAllForMonitoring, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops monitoring and the check threads, waiting up to the timeout for them to end.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (monitor != null) {
            monitor.shutdownNow();
        }
        executor.shutdownNow();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            if (monitor != null) {
                monitor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void runAllForMonitoring() {
        try {
            runAll();
        }
        catch (RuntimeException ex) {
            // Keeps the schedule alive; the next round tries again. A round cut short by close()
            // is expected, not worth a warning.
            if (!closed) {
                LOGGER.log(Level.WARNING, "health monitoring round failed", ex);
            }
        }
    }

    private HealthReport report(Map<String, HealthResult> results) {
        HealthStatus status = HealthStatus.HEALTHY;
        List<String> failed = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        for (Map.Entry<String, HealthResult> result : results.entrySet()) {
            status = status.worst(result.getValue().status());
            if (result.getValue().status() == HealthStatus.UNHEALTHY) {
                failed.add(result.getKey());
            }
            else if (result.getValue().status() == HealthStatus.DEGRADED) {
                degraded.add(result.getKey());
            }
        }
        Collections.sort(failed);
        Collections.sort(degraded);
        return new HealthReport(status, status != HealthStatus.UNHEALTHY, results, failed, degraded);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the health registry is closed");
        }
    }

    /** One thread per check that runs on the pool, at least the configured number, at most 256. */
    private void sizePool() {
        long pooled = entries.values().stream().filter(entry -> !entry.check.answersAtOnce()).count();
        int size = (int) Math.max(threads, Math.min(pooled, 256));
        synchronized (executor) {
            if (size > executor.getMaximumPoolSize()) {
                executor.setMaximumPoolSize(size);
                executor.setCorePoolSize(size);
            }
            else if (size < executor.getMaximumPoolSize()) {
                executor.setCorePoolSize(size);
                executor.setMaximumPoolSize(size);
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One run of a check. Its fields are guarded by the entry's monitor. */
    private static final class Run {

        Future<HealthResult> future;

        /** Whether the run was given to the pool, rather than run on the asking thread. */
        boolean onPool;

        /** Whether the check has started on its thread. */
        boolean running;

        boolean settled;

        HealthResult result;
    }

    /**
     * A registered check with its failure count and last result. A run is settled exactly once:
     * by its own completion or by a waiter's timeout, whichever comes first.
     */
    private final class Entry {

        final String name;

        final HealthCheck check;

        /** Guarded by this. */
        private Run inFlight;

        /** Guarded by this. */
        private int consecutiveFailures;

        /** Guarded by this. */
        private HealthStatus status;

        private volatile HealthResult last;

        private volatile long lastRecordedAt;

        Entry(String name, HealthCheck check) {
            this.name = name;
            this.check = check;
        }

        HealthResult runWithin(long deadline) {
            Run run = start();
            return run == null ? stillRunning() : await(run, deadline);
        }

        /**
         * Starts a run, joins the one in flight, or returns null when that one already timed out.
         * A check that answers at once has run, on this thread, when this returns.
         */
        Run start() {
            Run run;
            synchronized (this) {
                if (inFlight != null) {
                    return inFlight.settled ? null : inFlight;
                }
                run = new Run();
                inFlight = run;
                if (!check.answersAtOnce()) {
                    run.onPool = true;
                    run.future = executor.submit(() -> execute(run));
                    return run;
                }
                run.future = new FutureTask<>(() -> execute(run));
            }
            ((FutureTask<HealthResult>) run.future).run();
            return run;
        }

        /** Starts a run unless one is in flight, in which case returns null. */
        synchronized Run startIfIdle() {
            return inFlight != null ? null : start();
        }

        HealthResult await(Run run, long deadline) {
            try {
                return run.future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (TimeoutException | CancellationException | ExecutionException ex) {
                return timedOut(run);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return timedOut(run);
            }
        }

        private HealthResult execute(Run run) {
            synchronized (this) {
                if (run.settled) {
                    // Timed out while it waited for a thread: too late to be worth running.
                    return run.result;
                }
                run.running = true;
            }
            Instant at = clock.instant();
            long start = ticker.read();
            HealthResult raw;
            try {
                raw = check.check();
                if (raw == null) {
                    raw = HealthResult.unhealthy("the check returned no result");
                }
            }
            catch (Throwable ex) {
                raw = HealthResult.unhealthy(ex);
            }
            Duration took = Duration.ofNanos(ticker.read() - start);
            synchronized (this) {
                if (inFlight == run) {
                    inFlight = null;
                }
                if (!run.settled) {
                    run.settled = true;
                    run.result = record(raw, took, at);
                }
                return run.result;
            }
        }

        private synchronized HealthResult timedOut(Run run) {
            if (!run.settled) {
                run.settled = true;
                run.result = record(timeoutResult("did not answer within " + timeout), timeout, clock.instant());
                // A run on the asking thread is that thread's own: never interrupted from here.
                if (run.onPool) {
                    if (!run.running) {
                        inFlight = inFlight == run ? null : inFlight;
                    }
                    // Interrupts a check that is running, and drops one still waiting for a thread.
                    run.future.cancel(true);
                }
            }
            return run.result;
        }

        synchronized HealthResult stillRunning() {
            return record(timeoutResult("still running since an earlier check timed out"), timeout, clock.instant());
        }

        private HealthResult timeoutResult(String why) {
            TimeoutException timeoutException = new TimeoutException(why);
            return HealthResult.unhealthy(timeoutException);
        }

        /** Applies the failure threshold and tells the listener. Holds this. */
        private HealthResult record(HealthResult raw, Duration took, Instant at) {
            HealthStatus judged = raw.status();
            if (raw.isUnhealthy()) {
                consecutiveFailures++;
                judged = consecutiveFailures >= failureThreshold ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED;
            }
            else {
                consecutiveFailures = 0;
            }
            HealthResult result = raw.withRun(judged, raw.message(), took, at, consecutiveFailures);
            last = result;
            lastRecordedAt = ticker.read();
            HealthStatus previous = status;
            status = judged;
            try {
                if (previous != judged) {
                    listener.onStatusChange(name, previous, judged);
                }
                listener.onResult(name, result);
            }
            catch (RuntimeException ex) {
                LOGGER.log(Level.WARNING, "health listener failed on check '" + name + "'", ex);
            }
            return result;
        }

        HealthResult last() {
            HealthResult result = last;
            if (result != null && ticker.read() - lastRecordedAt > staleAfterNanos) {
                return result.asStale();
            }
            return result;
        }
    }

    /**
     * Settings of a {@link HealthRegistry}.
     */
    public static final class Builder {

        private Duration timeout = DEFAULT_TIMEOUT;

        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;

        private int threads = DEFAULT_THREADS;

        private Clock clock = Clock.systemUTC();

        private Ticker ticker = Ticker.system();

        private HealthListener listener = HealthListener.NONE;

        private Builder() {
        }

        /** Sets how long one check may take. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("timeout must be positive and at most 1 hour, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Sets how many failed runs in a row make a check unhealthy; at least 1. */
        public Builder failureThreshold(int failureThreshold) {
            if (failureThreshold < 1) {
                throw new IllegalArgumentException("failureThreshold must be at least 1, was " + failureThreshold);
            }
            this.failureThreshold = failureThreshold;
            return this;
        }

        /** Sets how many threads run checks; from 1 to 64. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads must be from 1 to 64, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Sets the clock that stamps results. */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            this.clock = clock;
            return this;
        }

        /** Sets the ticker that times checks and ages results. */
        public Builder ticker(Ticker ticker) {
            if (ticker == null) {
                throw new IllegalArgumentException("ticker must not be null");
            }
            this.ticker = ticker;
            return this;
        }

        /** Sets who hears status changes. */
        public Builder listener(HealthListener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null; use HealthListener.NONE");
            }
            this.listener = listener;
            return this;
        }

        public HealthRegistry build() {
            return new HealthRegistry(this);
        }
    }
}
