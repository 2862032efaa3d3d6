package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.util.Locale;

import org.junit.jupiter.api.Assumptions;

/**
 * What a Redis test does when it finds no Redis, set by the environment variable
 * {@code CROSSBRIDGE_REDIS}: {@code auto} (the default) looks for one and skips the test without
 * it; {@code off} skips every Redis test without looking, to prove the build passes on a machine
 * with no Redis; {@code required} fails the test instead of skipping it, so that a run meant to
 * cover Redis cannot pass without it.
 */
enum RedisTestMode {

    AUTO, OFF, REQUIRED;

    /** How every skipped Redis test's reason starts; {@link RedisTestSummary} counts them by it. */
    static final String SKIPPED = "Redis test skipped: ";

    static final String VARIABLE = "CROSSBRIDGE_REDIS";

    static RedisTestMode current() {
        String value = System.getenv(VARIABLE);
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalStateException(VARIABLE + " must be auto, off or required, was '" + value + "'");
        }
    }

    /** Skips the calling test when Redis tests are switched off. */
    static void skipWhenOff() {
        if (current() == OFF) {
            Assumptions.abort(SKIPPED + "switched off by " + VARIABLE + "=off");
        }
    }

    /** Skips the calling test for want of a Redis, or fails it when Redis is required. */
    static void unavailable(String reason) {
        if (current() == REQUIRED) {
            throw new AssertionError(VARIABLE + "=required, but " + reason);
        }
        Assumptions.abort(SKIPPED + reason);
    }
}
