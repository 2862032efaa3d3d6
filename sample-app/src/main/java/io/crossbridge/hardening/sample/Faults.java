package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.failure.ServerErrorException;
import io.crossbridge.hardening.failure.ValidationException;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

/**
 * Faults injected into the demo provider at run time through {@code POST /demo/faults}: a share
 * of calls that fail with a transient 503, the next few calls failing, added latency, or a full
 * outage.
 */
@Component
public class Faults {

    /**
     * What is injected now.
     *
     * @param failureRate share of calls that fail, 0 to 1
     * @param latencyMs   milliseconds added to every call
     * @param outage      whether every call fails
     * @param failNext    how many of the next calls fail, whatever the rate
     */
    public record Settings(double failureRate, long latencyMs, boolean outage, int failNext) {

        public static final Settings NONE = new Settings(0, 0, false, 0);

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
        }
    }

    private volatile Settings settings = Settings.NONE;

    private final AtomicInteger failuresLeft = new AtomicInteger();

    public Settings settings() {
        return settings;
    }

    public void set(Settings settings) {
        this.settings = settings;
        failuresLeft.set(settings.failNext());
    }

    /**
     * Applies the faults to one provider call: waits the added latency, then fails when the
     * provider is out or the dice say so.
     */
    void apply(String operation) throws InterruptedException {
        Settings current = settings;
        if (current.latencyMs() > 0) {
            // Simulated provider latency, so the demo can show slow health checks and timeouts.
            Thread.sleep(current.latencyMs());
        }
        if (current.outage()) {
            throw new ServerErrorException("demo provider is down (injected outage) during " + operation, 503, null);
        }
        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new ServerErrorException("demo provider failed (injected fault) during " + operation, 503, null);
        }
        if (current.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < current.failureRate()) {
            throw new ServerErrorException("demo provider failed (injected fault) during " + operation, 503, null);
        }
    }
}
