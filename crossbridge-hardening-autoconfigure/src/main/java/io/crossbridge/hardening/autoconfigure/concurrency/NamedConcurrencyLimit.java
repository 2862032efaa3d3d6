package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;
import io.crossbridge.hardening.concurrency.KeyedConcurrencyLimiter;

import java.time.Duration;

/**
 * One configured concurrency limit: the methods without a key share {@link #limiter}, and those
 * with one limit each key by {@link #keyed}, to the same {@code max-concurrent}. A name usually
 * serves one of the two; both exist so that neither depends on which method was seen first.
 *
 * @param name     the name
 * @param settings the settings as bound, already checked
 * @param limiter  the limit over all calls without a key, fixed or adaptive
 * @param keyed    the limit per key, fixed
 */
public record NamedConcurrencyLimit(String name, ConcurrencyProperties.Limit settings, ConcurrencyLimiter limiter,
        KeyedConcurrencyLimiter keyed) {

    public Duration maxWait() {
        return settings.getMaxWait();
    }

    /** Calls in flight under this name, with a key or without. */
    public int inFlight() {
        return limiter.inFlight() + keyed.inFlight();
    }
}
