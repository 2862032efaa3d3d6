package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the Redis store knows about its own failures. After a failure, calls skip Redis for a
 * short pause and get the configured on-failure answer at once, so that an outage costs each
 * request nothing rather than a timeout; the first call after the pause tries Redis again, so a
 * server that is back is used again without a restart. Failures are counted and logged at most
 * once per {@link #LOG_EVERY}, with the number left unlogged, so an outage cannot flood the log.
 */
final class StoreFailures {

    /** How long calls skip Redis after a failure, unless configured otherwise. */
    static final Duration DEFAULT_PAUSE = Duration.ofMillis(500);

    /** Least time between two failure log lines. */
    static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private static final Log logger = LogFactory.getLog(StoreFailures.class);

    private final LongAdder count = new LongAdder();

    private final AtomicLong unloggedSince = new AtomicLong();

    private volatile long skipUntilNanos;

    private volatile long lastLoggedNanos;

    private volatile boolean failing;

    private final Duration pause;

    StoreFailures(Duration pause) {
        this.pause = pause;
    }

    Duration pause() {
        return pause;
    }

    /** Whether a call should skip Redis now. */
    boolean pausing() {
        return failing && System.nanoTime() - skipUntilNanos < 0;
    }

    void failed(Exception failure) {
        count.increment();
        long now = System.nanoTime();
        skipUntilNanos = now + pause.toNanos();
        boolean first = !failing;
        failing = true;
        if (first || now - lastLoggedNanos > LOG_EVERY.toNanos()) {
            lastLoggedNanos = now;
            long unlogged = unloggedSince.getAndSet(0);
            logger.warn("Redis rate-limit store cannot answer (" + describe(failure) + ")"
                    + (unlogged > 0 ? "; " + unlogged + " more failures since the last report" : "")
                    + "; requests get the on-failure answer until it recovers");
        }
        else {
            unloggedSince.incrementAndGet();
        }
    }

    void succeeded() {
        if (failing) {
            failing = false;
            logger.info("Redis rate-limit store answers again");
        }
    }

    /** Failures since startup. */
    long count() {
        return count.sum();
    }

    private static String describe(Exception failure) {
        Throwable cause = failure.getCause() != null && failure instanceof java.util.concurrent.ExecutionException
                ? failure.getCause() : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    }
}
