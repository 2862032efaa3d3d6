package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the Redis store knows about its own failures. After a failure, calls skip Redis for a
 * short pause and get the configured on-failure answer at once, so that an outage costs each
 * request nothing rather than a timeout; the first call after the pause tries Redis again, so a
 * server that is back is used again without a restart. Failures are counted by {@link Kind} and
 * logged at most once per {@link #LOG_EVERY}, with the number left unlogged, so an outage cannot
 * flood the log.
 * <p>
 * Only a decision that Redis made ends the failing state: a Redis that answers {@code PING} but
 * refuses the script (out of memory, a read-only replica) is still failing, and health says so.
 */
final class StoreFailures {

    /** How long calls skip Redis after a failure, unless configured otherwise. */
    static final Duration DEFAULT_PAUSE = Duration.ofMillis(500);

    /** Least time between two failure log lines. */
    static final Duration LOG_EVERY = Duration.ofSeconds(10);

    /** How long after its last failed decision the store counts as failing, without decisions since. */
    static final Duration RECENT = Duration.ofSeconds(30);

    private static final Log logger = LogFactory.getLog(StoreFailures.class);

    /** Why a call failed: Redis did not answer in time, could not be reached, or answered with an error. */
    enum Kind {

        TIMEOUT, CONNECTION, COMMAND;

        /** The name in meters and logs. */
        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);

    private final AtomicLong unloggedSince = new AtomicLong();

    private final Duration pause;

    private volatile long skipUntilNanos;

    /** When the last failure was logged; set so that the first one is logged at once. */
    private final AtomicLong lastLoggedNanos = new AtomicLong(System.nanoTime() - LOG_EVERY.toNanos() - 1);

    /** Whether a failure was logged that no "decides again" line has answered yet. */
    private final AtomicBoolean reported = new AtomicBoolean();

    private volatile long lastFailedNanos;

    private volatile String lastFailure;

    private volatile boolean failing;

    StoreFailures(Duration pause) {
        this.pause = pause;
        for (Kind kind : Kind.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    Duration pause() {
        return pause;
    }

    /** Whether a call should skip Redis now. */
    boolean pausing() {
        return failing && System.nanoTime() - skipUntilNanos < 0;
    }

    void failed(Kind kind, Exception failure) {
        counts.get(kind).increment();
        long now = System.nanoTime();
        skipUntilNanos = now + pause.toNanos();
        lastFailedNanos = now;
        String described = kind.tag() + ", " + describe(failure);
        lastFailure = described;
        failing = true;
        // At most one line per LOG_EVERY, claimed by one thread, however the store flaps between
        // failing and deciding (a cluster shard down while the others answer): a line per change
        // of state flooded the log, and two threads failing at once both logged.
        long last = lastLoggedNanos.get();
        if (now - last > LOG_EVERY.toNanos() && lastLoggedNanos.compareAndSet(last, now)) {
            reported.set(true);
            long unlogged = unloggedSince.getAndSet(0);
            logger.warn("Redis rate-limit store cannot decide (" + described + ")"
                    + (unlogged > 0 ? "; " + unlogged + " more failures since the last report" : "")
                    + "; requests get the on-failure answer until it recovers");
        }
        else {
            unloggedSince.incrementAndGet();
        }
    }

    /** Redis answered a {@code PING}: the next decision may ask it again, before the pause ends. */
    void answeredPing() {
        skipUntilNanos = System.nanoTime();
    }

    /** A decision Redis made: the store works again, which is logged when its failure was. */
    void succeeded() {
        if (failing) {
            failing = false;
            if (reported.compareAndSet(true, false)) {
                logger.info("Redis rate-limit store decides again");
            }
        }
    }

    /** The last failure, when a decision failed within {@link #RECENT} and none succeeded since; else null. */
    String recentFailure() {
        return failing && System.nanoTime() - lastFailedNanos < RECENT.toNanos() ? lastFailure : null;
    }

    /** Failures of every kind since startup. */
    long count() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Failures of one kind since startup. */
    long count(Kind kind) {
        return counts.get(kind).sum();
    }

    private static String describe(Exception failure) {
        Throwable cause = failure.getCause() != null && failure instanceof ExecutionException ? failure.getCause()
                : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    }
}
