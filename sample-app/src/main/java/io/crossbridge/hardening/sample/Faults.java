package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.failure.ValidationException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

/**
 * Faults injected into the demo provider at run time through {@code POST /demo/faults}: a share
 * of calls answered 503, the next few calls answered 503, the next few answered 429 with a
 * {@code Retry-After}, added latency, or a full outage. The provider applies them to the HTTP
 * requests it receives, so callers see what a real provider sends.
 */
@Component
public class Faults {

    /** The most arrivals kept per operation: the demo's tests need a few, a load test must not grow it. */
    private static final int MAX_ARRIVALS = 100;

    /** The health check's operation: counted faults are for the API's calls, not for it. */
    private static final String HEALTH_CHECK = "listModels";

    /**
     * What is injected now.
     *
     * @param failureRate       share of calls answered 503, 0 to 1
     * @param latencyMs         milliseconds added to every call
     * @param outage            whether every call is answered 503
     * @param failNext          how many of the next calls are answered 503, whatever the rate
     * @param rateLimitNext     how many of the next calls are answered 429
     * @param retryAfterSeconds the {@code Retry-After} of those 429s
     */
    public record Settings(double failureRate, long latencyMs, boolean outage, int failNext, int rateLimitNext,
            int retryAfterSeconds) {

        public static final Settings NONE = new Settings(0, 0, false, 0, 0, 1);

        public Settings {
            if (failureRate < 0 || failureRate > 1) {
                throw new ValidationException("failureRate must be from 0 to 1, was " + failureRate);
            }
            if (latencyMs < 0 || latencyMs > 60_000) {
                throw new ValidationException("latencyMs must be from 0 to 60000, was " + latencyMs);
            }
            if (failNext < 0) {
                throw new ValidationException("failNext must not be negative, was " + failNext);
            }
            if (rateLimitNext < 0) {
                throw new ValidationException("rateLimitNext must not be negative, was " + rateLimitNext);
            }
            if (retryAfterSeconds < 0 || retryAfterSeconds > 3600) {
                throw new ValidationException("retryAfterSeconds must be from 0 to 3600, was " + retryAfterSeconds);
            }
        }
    }

    /**
     * The answer a fault gives instead of the provider's.
     *
     * @param status            503 or 429
     * @param retryAfterSeconds the {@code Retry-After} to send, or -1 for none
     */
    public record Failure(int status, int retryAfterSeconds, String message) {
    }

    private volatile Settings settings = Settings.NONE;

    private final AtomicInteger failuresLeft = new AtomicInteger();

    private final AtomicInteger rateLimitsLeft = new AtomicInteger();

    /** When each request of each operation reached the provider, since faults were last set. */
    private final Map<String, List<Instant>> arrivals = new ConcurrentHashMap<>();

    public Settings settings() {
        return settings;
    }

    public void set(Settings settings) {
        this.settings = settings;
        failuresLeft.set(settings.failNext());
        rateLimitsLeft.set(settings.rateLimitNext());
        arrivals.clear();
    }

    /** When the provider received each request of {@code operation} since faults were last set. */
    public List<Instant> arrivals(String operation) {
        return List.copyOf(arrivals.getOrDefault(operation, List.of()));
    }

    /**
     * Applies the faults to one provider request: waits the added latency, then returns the
     * failure to answer with, or {@code null} to answer normally.
     */
    Failure apply(String operation) throws InterruptedException {
        List<Instant> seen = arrivals.computeIfAbsent(operation, name -> new CopyOnWriteArrayList<>());
        if (seen.size() < MAX_ARRIVALS) {
            seen.add(Instant.now());
        }
        Settings current = settings;
        if (current.latencyMs() > 0) {
            // Simulated provider latency, so the demo can show slow health checks and timeouts.
            Thread.sleep(current.latencyMs());
        }
        if (current.outage()) {
            return new Failure(503, -1, "demo provider is down (injected outage) during " + operation);
        }
        if (operation.equals(HEALTH_CHECK)) {
            // A scheduled check must not use up the 429 or 503 a demo asked its next call to get.
            return current.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < current.failureRate()
                    ? new Failure(503, -1, "demo provider failed (injected fault) during " + operation) : null;
        }
        if (rateLimitsLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return new Failure(429, current.retryAfterSeconds(), "demo provider rate limit (injected) during " + operation);
        }
        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return new Failure(503, -1, "demo provider failed (injected fault) during " + operation);
        }
        if (current.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < current.failureRate()) {
            return new Failure(503, -1, "demo provider failed (injected fault) during " + operation);
        }
        return null;
    }
}
