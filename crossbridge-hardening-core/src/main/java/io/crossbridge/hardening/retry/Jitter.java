package io.crossbridge.hardening.retry;

/**
 * How a backoff delay is randomized, as the AWS Architecture Blog's "Exponential Backoff and
 * Jitter" defines the modes. With {@code d = min(maxDelay, baseDelay * multiplier^(n-1))} and a
 * uniform random number:
 */
public enum Jitter {

    /** Exactly {@code d}. Clients that failed together retry together. */
    NONE,

    /** Uniform in {@code [0, d]}: the widest spread, the least total work. */
    FULL,

    /** Uniform in {@code [d/2, d]}: never much shorter than the plain backoff. */
    EQUAL,

    /**
     * Uniform in {@code [baseDelay, min(maxDelay, 3 * previous)]}: each delay grows from the one
     * before rather than from the attempt number; {@code multiplier} plays no part. The cap
     * bounds the range before drawing, so at the cap the delays still spread over
     * {@code [baseDelay, maxDelay]} instead of all being {@code maxDelay}.
     */
    DECORRELATED
}
