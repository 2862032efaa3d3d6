package io.crossbridge.hardening.circuitbreaker;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.failure.FailureKind;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Stops calling a provider that keeps failing. Closed, it counts outcomes in a window of recent
 * calls and opens when the failure rate or the slow-call rate reaches its threshold (once the
 * window holds the minimum number of calls). Open, it refuses calls with
 * {@link CallNotPermittedException} until {@code waitInOpen} has passed, then lets
 * {@code permittedCallsInHalfOpen} trial calls through: their failure rate closes or reopens it.
 * Trials still unfinished after {@code maxWaitInHalfOpen} open it again.
 * <p>
 * The state is one immutable object behind an {@link AtomicReference}, so every transition is a
 * single compare-and-set and happens once; the closed path reads one volatile field to permit a
 * call and records its outcome without a lock (see {@link CountWindow}). A failure counts only
 * unless {@link CircuitBreakerConfig#classification()} calls it permanent: a validation error is
 * the caller's fault and never opens the circuit. A provider that says when to come back (a 429 or
 * 503 with {@code Retry-After}) is listened to: an open circuit stays open until then, when that
 * is later than {@code waitInOpen}; a success, or the circuit closing, forgets the hint. Time
 * comes from the {@link Ticker}, so tests never sleep.
 * <p>
 * Usage: {@code breaker.call(() -> provider.complete(prompt))}, or, around code that measures
 * itself, {@link #tryAcquire()} then {@link #onSuccess(Permit, long)} or
 * {@link #onError(Permit, long, Throwable)}: the {@link Permit} ties the outcome to the state that
 * permitted the call, so an outcome that comes after the state changed (a trial that half-open
 * gave up on) cannot count in a later one. Every permitted call reports one outcome, or a
 * half-open trial slot stays taken until {@code maxWaitInHalfOpen}.
 */
public final class CircuitBreaker {

    private static final System.Logger LOGGER = System.getLogger(CircuitBreaker.class.getName());

    /** No provider hint is held. */
    private static final long NO_HINT = Long.MIN_VALUE;

    private final String name;

    private final CircuitBreakerConfig config;

    private final Ticker ticker;

    private final long slowNanos;

    private final boolean timeWindow;

    private final AtomicReference<Phase> phase;

    private final LongAdder notPermitted = new LongAdder();

    /**
     * The latest time a recorded failure asked callers to stay away until, or {@link #NO_HINT}; a
     * circuit that opens lets no trial through before it. A success, and every return to closed,
     * forgets it: the provider answers again, so its old hint no longer holds.
     */
    private final AtomicLong comeBackAt = new AtomicLong(NO_HINT);

    private final List<CircuitBreakerListener> listeners = new CopyOnWriteArrayList<>();

    public CircuitBreaker(String name, CircuitBreakerConfig config) {
        this(name, config, Ticker.system());
    }

    public CircuitBreaker(String name, CircuitBreakerConfig config, Ticker ticker) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name of a circuit breaker must not be null or blank");
        }
        if (config == null || ticker == null) {
            throw new IllegalArgumentException("config and ticker of circuit breaker '" + name + "' must not be null");
        }
        this.name = name;
        this.config = config;
        this.ticker = ticker;
        this.slowNanos = config.slowCallDuration().toNanos();
        this.timeWindow = config.windowType() == CircuitBreakerConfig.WindowType.TIME;
        this.phase = new AtomicReference<>(closed());
    }

    public String name() {
        return name;
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    public CircuitState state() {
        return phase.get().state;
    }

    public void addListener(CircuitBreakerListener listener) {
        listeners.add(listener);
    }

    /** A permission to call, from the state that gave it; opaque. */
    public sealed interface Permit permits Phase {
    }

    /**
     * Runs {@code call} if the circuit permits it, and records its outcome and duration.
     *
     * @throws CallNotPermittedException when the circuit refuses the call
     */
    public <T> T call(Callable<T> call) throws Exception {
        Permit permit = tryAcquire();
        if (permit == null) {
            throw refusal();
        }
        long start = ticker.read();
        try {
            T result = call.call();
            onSuccess(permit, ticker.read() - start);
            return result;
        }
        catch (Exception | Error ex) {
            onError(permit, ticker.read() - start, ex);
            throw ex;
        }
    }

    /**
     * Takes a permission to call.
     *
     * @throws CallNotPermittedException when the circuit refuses the call
     */
    public void acquirePermission() {
        if (!tryAcquirePermission()) {
            throw refusal();
        }
    }

    /** The exception that tells a caller this circuit refused it, with the time until trials. */
    public CallNotPermittedException refusal() {
        Phase current = phase.get();
        Duration wait = current.state == CircuitState.OPEN
                ? Duration.ofNanos(Math.max(0, reopensAt(current) - ticker.read())) : null;
        return new CallNotPermittedException(name, current.state, wait);
    }

    /** Takes a permission to call, or returns false (and counts the refusal). */
    public boolean tryAcquirePermission() {
        return tryAcquire() != null;
    }

    /**
     * Takes a permission to call, or returns null (and counts the refusal). Nothing is allocated:
     * the permit is the state itself.
     */
    public Permit tryAcquire() {
        while (true) {
            Phase current = phase.get();
            switch (current.state) {
                case CLOSED, FORCED_CLOSED -> {
                    return current;
                }
                case HALF_OPEN -> {
                    if (takeTrialPermit(current.trialPermits)) {
                        return current;
                    }
                    long now = ticker.read();
                    if (now - current.until < 0) {
                        notPermitted.increment();
                        return null;
                    }
                    // The trials did not report in time: give up on them, open for another wait.
                    transition(current, open(now));
                }
                case OPEN -> {
                    if (ticker.read() - reopensAt(current) < 0) {
                        notPermitted.increment();
                        return null;
                    }
                    transition(current, halfOpen());
                    // Loop: take a trial permit from whichever half-open phase won.
                }
                default -> {
                    notPermitted.increment();
                    return null;
                }
            }
        }
    }

    /** When an open phase lets trials through: after its wait, and not before a provider's hint. */
    private long reopensAt(Phase open) {
        long hinted = comeBackAt.get();
        return hinted != NO_HINT && hinted - open.until > 0 ? hinted : open.until;
    }

    /** Takes one of the trial permits left, never counting below zero. */
    private static boolean takeTrialPermit(AtomicInteger permits) {
        for (int left = permits.get(); left > 0; left = permits.get()) {
            if (permits.compareAndSet(left, left - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Records a permitted call that succeeded after {@code durationNanos}, in the state now. */
    public void onSuccess(long durationNanos) {
        onSuccess(phase.get(), durationNanos);
    }

    /** Records a call that {@code permit} let through and that succeeded after {@code durationNanos}. */
    public void onSuccess(Permit permit, long durationNanos) {
        if (comeBackAt.get() != NO_HINT) {
            comeBackAt.set(NO_HINT);
        }
        record((Phase) permit, durationNanos >= slowNanos ? OutcomeWindow.SLOW : 0);
    }

    /** Records a permitted call that failed after {@code durationNanos}, in the state now. */
    public boolean onError(long durationNanos, Throwable failure) {
        return onError(phase.get(), durationNanos, failure);
    }

    /**
     * Records a call that {@code permit} let through and that failed after {@code durationNanos}.
     * A permanent failure counts as neither success nor failure, and gives a half-open trial's
     * permit back. A failure's retry-after hint (at most {@link CircuitBreakerConfig#LONGEST_OPEN})
     * is kept, so that the circuit, should it open, stays open that long. An outcome whose state
     * has since changed is not counted.
     *
     * @return whether the failure is one that counts against the provider (a permanent one does
     *         not), whether or not the state that permitted the call still counts it
     */
    public boolean onError(Permit permit, long durationNanos, Throwable failure) {
        if (config.classification().classify(failure) == FailureKind.PERMANENT) {
            release(permit);
            return false;
        }
        Optional<Duration> hint = config.classification().retryAfter(failure);
        if (hint.isPresent()) {
            rememberComeBack(hint.get());
        }
        record((Phase) permit, OutcomeWindow.FAILED | (durationNanos >= slowNanos ? OutcomeWindow.SLOW : 0));
        return true;
    }

    /**
     * Gives back a permit whose call has no outcome (its caller cancelled it): counted as neither
     * success nor failure, and a half-open trial's permit is free for another trial.
     */
    public void release(Permit permit) {
        Phase current = (Phase) permit;
        if (current.state == CircuitState.HALF_OPEN && current == phase.get()) {
            // Never beyond the phase's number of trials.
            int permitted = config.permittedCallsInHalfOpen();
            current.trialPermits.getAndUpdate(left -> Math.min(left + 1, permitted));
        }
    }

    private void rememberComeBack(Duration hint) {
        Duration wait = hint.compareTo(CircuitBreakerConfig.LONGEST_OPEN) > 0 ? CircuitBreakerConfig.LONGEST_OPEN : hint;
        long at = ticker.read() + wait.toNanos();
        // The latest hint wins over an earlier, shorter one, never the other way round.
        comeBackAt.accumulateAndGet(at, (current, next) -> current == NO_HINT || next - current > 0 ? next : current);
    }

    /** Opens the circuit until {@link #forceClosed()} or {@link #reset()}. */
    public void forceOpen() {
        transition(phase.get(), new Phase(CircuitState.FORCED_OPEN, null, 0, null), true);
    }

    /** Closes the circuit and stops judging calls until {@link #reset()}; forgets providers' hints. */
    public void forceClosed() {
        transition(phase.get(), new Phase(CircuitState.FORCED_CLOSED, null, 0, null), true);
    }

    /** Closes the circuit with an empty window; forgets providers' hints. */
    public void reset() {
        transition(phase.get(), closed(), true);
    }

    public CircuitBreakerMetrics metrics() {
        Phase current = phase.get();
        OutcomeWindow.Counts counts = current.window == null ? new OutcomeWindow.Counts(0, 0, 0)
                : current.window.counts(ticker.read());
        boolean enough = counts.calls() >= minimumCalls(current);
        return new CircuitBreakerMetrics(current.state, enough ? counts.failureRate() : -1,
                enough ? counts.slowCallRate() : -1, counts.calls(), counts.failed(), counts.slow(), notPermitted.sum());
    }

    private void record(Phase permitted, int outcome) {
        Phase current = phase.get();
        if (current != permitted || current.window == null) {
            // The state that permitted the call has ended: its outcome belongs to no window now.
            return;
        }
        // A count window needs no clock: the time is read only when a time window or an opening
        // needs it, since reading it costs more than the rest of the recording.
        long packed = current.window.record(outcome, timeWindow ? ticker.read() : 0);
        int calls = (int) (packed & OutcomeWindow.MASK);
        if (current.state == CircuitState.CLOSED) {
            if (calls >= config.minimumCalls() && overThreshold(packed, calls)) {
                transition(current, open(ticker.read()));
            }
        }
        else if (current.state == CircuitState.HALF_OPEN && calls >= config.permittedCallsInHalfOpen()) {
            transition(current, overThreshold(packed, calls) ? open(ticker.read()) : closed());
        }
    }

    /** Compares the packed counts with the thresholds without dividing on the common path. */
    private boolean overThreshold(long packed, int calls) {
        long failed = (packed >>> OutcomeWindow.BITS) & OutcomeWindow.MASK;
        long slow = (packed >>> (2 * OutcomeWindow.BITS)) & OutcomeWindow.MASK;
        return failed * 100f >= config.failureRateThreshold() * calls || slow * 100f >= config.slowCallRateThreshold() * calls;
    }

    private int minimumCalls(Phase current) {
        return current.state == CircuitState.HALF_OPEN ? config.permittedCallsInHalfOpen() : config.minimumCalls();
    }

    private void transition(Phase from, Phase to) {
        transition(from, to, false);
    }

    /** Moves from {@code from} to {@code to} once; a lost race means another thread moved first. */
    private void transition(Phase from, Phase to, boolean byHand) {
        Phase witnessed = from;
        while (!phase.compareAndSet(witnessed, to)) {
            if (!byHand) {
                return;
            }
            witnessed = phase.get();
        }
        if (to.state == CircuitState.CLOSED || to.state == CircuitState.FORCED_CLOSED) {
            comeBackAt.set(NO_HINT);
        }
        if (witnessed.state != to.state) {
            for (CircuitBreakerListener listener : listeners) {
                try {
                    listener.onStateChange(name, witnessed.state, to.state);
                }
                catch (RuntimeException ex) {
                    LOGGER.log(Level.WARNING, "circuit breaker listener failed on '" + name + "'", ex);
                }
            }
        }
    }

    private Phase closed() {
        OutcomeWindow window = config.windowType() == CircuitBreakerConfig.WindowType.COUNT
                ? new CountWindow(config.windowSize()) : new TimeWindow(config.windowSize());
        return new Phase(CircuitState.CLOSED, window, 0, null);
    }

    private Phase open(long now) {
        return new Phase(CircuitState.OPEN, null, now + config.waitInOpen().toNanos(), null);
    }

    private Phase halfOpen() {
        return new Phase(CircuitState.HALF_OPEN, new CountWindow(config.permittedCallsInHalfOpen()),
                ticker.read() + config.maxWaitInHalfOpen().toNanos(), new AtomicInteger(config.permittedCallsInHalfOpen()));
    }

    /**
     * One state with what it needs: the window it counts in (none when open), until when it lasts
     * (an open circuit lets trials through after it; a half-open one gives up on its trials after
     * it), and the trial permits left when half-open.
     */
    private record Phase(CircuitState state, OutcomeWindow window, long until, AtomicInteger trialPermits)
            implements Permit {
    }
}
