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

    private final boolean perKey;

    public ConcurrencyLimitExceededException(String name, int limit) {
        this(name, limit, false);
    }

    /**
     * @param perKey whether the limit that was full is one key's (a caller over its share) rather
     *               than the limit over all calls (a provider at its capacity)
     */
    public ConcurrencyLimitExceededException(String name, int limit, boolean perKey) {
        super("Concurrency limit '" + name + "' of " + limit + " calls in flight" + (perKey ? " per key" : "")
                + " is full", null, false, false);
        this.name = name;
        this.limit = limit;
        this.perKey = perKey;
    }

    /** Returns the name of the limit that was full. */
    public String name() {
        return name;
    }

    /** Returns how many calls the limit allowed in flight when it refused this one. */
    public int limit() {
        return limit;
    }

    /** Whether the limit that was full is one key's rather than the limit over all calls. */
    public boolean perKey() {
        return perKey;
    }
}
