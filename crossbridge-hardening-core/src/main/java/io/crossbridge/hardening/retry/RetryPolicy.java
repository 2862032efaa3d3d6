package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureKind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How a call is retried: how often, how long to wait between attempts, and which failures count.
 * <p>
 * The wait before retry {@code n} (n = 1, 2, ...) is {@code min(maxDelay, baseDelay *
 * multiplier^(n-1))}, randomized by the {@link Jitter} mode. A failure is retried only when it is
 * transient: the policy looks at the failure and then down its cause chain, and at each throwable
 * asks, in order, {@code abortOn} (permanent), {@code retryOn} (transient), {@code retryIf}
 * (transient when true) and the {@code classification}'s rules; the first answer wins, and a chain
 * that never answers is not retried. An {@link Error} is never retried, whatever the configuration.
 * <p>
 * Derive a policy from a predefined one: {@code RetryPolicy.DEFAULT.withMaxAttempts(5)}.
 *
 * @param maxAttempts   attempts in all, the first included: 1 to 100
 * @param baseDelay     the wait before the first retry, before jitter: zero or more
 * @param maxDelay      the longest single wait: at least {@code baseDelay}, at most one day
 * @param multiplier    growth of the wait per retry: at least 1
 * @param jitter        how waits are randomized
 * @param maxElapsed    the most time from the first attempt to the start of the last, or
 *                      {@code null} for no bound; positive, at most 100 days
 * @param attemptTimeout the most time one attempt of an asynchronous call
 *                      ({@link Retry#callAsync}) may take before it is cancelled and counted as a
 *                      transient {@link AttemptTimeoutException}, or {@code null} for no bound;
 *                      positive, at most one day. A blocking call is not bounded by it: a thread
 *                      cannot be stopped safely, so its client's own timeouts bound it
 * @param retryOn       more failure types to retry (with their subclasses)
 * @param abortOn       failure types never to retry (with their subclasses); these win over
 *                      {@code retryOn}
 * @param retryIf       retries a failure for which it returns true, or {@code null}
 * @param retryOnResult retries a call whose result it returns true for (an empty or "busy"
 *                      answer), or {@code null}
 * @param classification the judgement of failures asked last, shared with circuit breakers:
 *                      {@link FailureClassification#defaults()} unless a framework or the
 *                      application adds rules (the Spring starter adds its HTTP clients')
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, double multiplier, Jitter jitter,
        Duration maxElapsed, Duration attemptTimeout, List<Class<? extends Throwable>> retryOn,
        List<Class<? extends Throwable>> abortOn,
        Predicate<Throwable> retryIf, Predicate<Object> retryOnResult, FailureClassification classification) {

    /** The most attempts a policy may make. */
    public static final int MAX_ATTEMPTS = 100;

    /** The longest single wait a policy may have. */
    public static final Duration MAX_DELAY = Duration.ofDays(1);

    /** The longest {@code maxElapsed} a policy may have. */
    public static final Duration MAX_ELAPSED = Duration.ofDays(100);

    /** The growth of the wait per retry unless set. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    /** 5 attempts, 200 ms growing to 10 s. */
    public static final RetryPolicy AGGRESSIVE = of(5, Duration.ofMillis(200), Duration.ofSeconds(10));

    /** 3 attempts, 1 s growing to 5 s. */
    public static final RetryPolicy CONSERVATIVE = of(3, Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** 2 attempts, 100 ms (at most 1 s). */
    public static final RetryPolicy QUICK = of(2, Duration.ofMillis(100), Duration.ofSeconds(1));

    /** 3 attempts, 500 ms growing to 5 s. */
    public static final RetryPolicy DEFAULT = of(3, Duration.ofMillis(500), Duration.ofSeconds(5));

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("maxAttempts must be from 1 to " + MAX_ATTEMPTS + ", was " + maxAttempts);
        }
        if (baseDelay == null || baseDelay.isNegative()) {
            throw new IllegalArgumentException("baseDelay must be zero or positive, was " + baseDelay);
        }
        if (maxDelay == null || maxDelay.compareTo(baseDelay) < 0 || maxDelay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("maxDelay must be from baseDelay (" + baseDelay + ") to " + MAX_DELAY
                    + ", was " + maxDelay);
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number of at least 1, was " + multiplier);
        }
        if (jitter == null) {
            throw new IllegalArgumentException("jitter must not be null; use Jitter.NONE for none");
        }
        if (maxElapsed != null && (maxElapsed.isNegative() || maxElapsed.isZero() || maxElapsed.compareTo(MAX_ELAPSED) > 0)) {
            throw new IllegalArgumentException("maxElapsed must be positive and at most " + MAX_ELAPSED + ", was "
                    + maxElapsed);
        }
        if (attemptTimeout != null && (attemptTimeout.isNegative() || attemptTimeout.isZero()
                || attemptTimeout.compareTo(MAX_DELAY) > 0)) {
            throw new IllegalArgumentException("attemptTimeout must be positive and at most " + MAX_DELAY + ", was "
                    + attemptTimeout);
        }
        retryOn = checkedTypes("retryOn", retryOn);
        abortOn = checkedTypes("abortOn", abortOn);
        for (Class<? extends Throwable> type : retryOn) {
            if (Error.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("retryOn must not name an Error, which is never retried, was "
                        + type.getName());
            }
        }
        if (classification == null) {
            throw new IllegalArgumentException("classification must not be null; use FailureClassification.defaults()");
        }
    }

    /**
     * Returns a policy with full jitter, multiplier 2, no time bound and the built-in
     * classification.
     */
    public static RetryPolicy of(int maxAttempts, Duration baseDelay, Duration maxDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, DEFAULT_MULTIPLIER, Jitter.FULL, null, null, List.of(),
                List.of(), null, null, FailureClassification.defaults());
    }

    public RetryPolicy withMaxAttempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    public RetryPolicy withBaseDelay(Duration baseDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    public RetryPolicy withMaxDelay(Duration maxDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    /** Returns this policy with {@code baseDelay} and {@code maxDelay} changed together. */
    public RetryPolicy withDelays(Duration baseDelay, Duration maxDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    public RetryPolicy withMultiplier(double multiplier) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    public RetryPolicy withJitter(Jitter jitter) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    /** Returns this policy with a bound on the time from the first attempt; {@code null} for none. */
    public RetryPolicy withMaxElapsed(Duration maxElapsed) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    /** Returns this policy with a bound on each asynchronous attempt; {@code null} for none. */
    public RetryPolicy withAttemptTimeout(Duration attemptTimeout) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    /** Returns this policy retrying these failure types too. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, into a new list
    public final RetryPolicy withRetryOn(Class<? extends Throwable>... types) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                concat(retryOn, types == null ? null : Arrays.asList(types)), abortOn, retryIf, retryOnResult,
                classification);
    }

    /** Returns this policy never retrying these failure types. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, into a new list
    public final RetryPolicy withAbortOn(Class<? extends Throwable>... types) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, concat(abortOn, types == null ? null : Arrays.asList(types)), retryIf, retryOnResult,
                classification);
    }

    public RetryPolicy withRetryIf(Predicate<Throwable> retryIf) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    public RetryPolicy withRetryOnResult(Predicate<Object> retryOnResult) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    public RetryPolicy withClassification(FailureClassification classification) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, multiplier, jitter, maxElapsed, attemptTimeout,
                retryOn, abortOn, retryIf, retryOnResult, classification);
    }

    /**
     * Classifies {@code failure} as this policy sees it: {@link FailureKind#TRANSIENT} is retried;
     * {@link FailureKind#PERMANENT}, and {@link FailureKind#UNKNOWN} when nothing in the cause
     * chain answered, are not.
     */
    public FailureKind classify(Throwable failure) {
        return classification.classify(failure, this::ownSettings);
    }

    /**
     * Returns the first retry-after hint in {@code failure}'s cause chain.
     */
    public Optional<Duration> retryAfter(Throwable failure) {
        return classification.retryAfter(failure);
    }

    /** What this policy's own settings say of one throwable, before the classification's rules. */
    private FailureKind ownSettings(Throwable failure) {
        if (failure instanceof Error || isAny(abortOn, failure)) {
            return FailureKind.PERMANENT;
        }
        if (isAny(retryOn, failure) || (retryIf != null && retryIf.test(failure))) {
            return FailureKind.TRANSIENT;
        }
        return FailureKind.UNKNOWN;
    }

    private static boolean isAny(List<Class<? extends Throwable>> types, Throwable failure) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(failure)) {
                return true;
            }
        }
        return false;
    }

    private static List<Class<? extends Throwable>> checkedTypes(String name, List<Class<? extends Throwable>> types) {
        // List.copyOf rejects nulls, but with a NullPointerException that names nothing.
        if (types == null || types.stream().anyMatch(type -> type == null)) {
            throw new IllegalArgumentException(name + " must not be null or hold null, was " + types);
        }
        return List.copyOf(types);
    }

    private static List<Class<? extends Throwable>> concat(List<Class<? extends Throwable>> first,
            List<Class<? extends Throwable>> more) {
        if (more == null) {
            throw new IllegalArgumentException("failure types must not be null");
        }
        List<Class<? extends Throwable>> all = new ArrayList<>(first);
        all.addAll(more);
        return all;
    }
}
