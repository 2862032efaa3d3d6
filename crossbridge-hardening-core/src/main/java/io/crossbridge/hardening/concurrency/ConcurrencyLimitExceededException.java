package io.crossbridge.hardening.concurrency;

/**
 * Thrown, or signalled, when a call finds its concurrency limit full and no place frees within
 * its wait. Carries no stack trace: a refusal is an expected outcome, frequent under load, and
 * the name says where it came from. The message never names a per-key limiter's key, which may
 * be a secret.
 */
public class ConcurrencyLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String name;

    private final int limit;

    public ConcurrencyLimitExceededException(String name, int limit) {
        super("Concurrency limit '" + name + "' of " + limit + " calls in flight is full", null, false, false);
        this.name = name;
        this.limit = limit;
    }

    /** Returns the name of the limit that was full. */
    public String name() {
        return name;
    }

    /** Returns how many calls the limit allowed in flight when it refused this one. */
    public int limit() {
        return limit;
    }
}
