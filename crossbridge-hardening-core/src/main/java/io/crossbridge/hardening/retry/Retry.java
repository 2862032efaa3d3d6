package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.Ticker;

import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Calls something again after transient failures, waiting longer each time, as a
 * {@link RetryPolicy} says.
 * <p>
 * A failure the policy does not retry is rethrown as it is, with the earlier failures of the same
 * call suppressed in it, so {@code catch} blocks written against the call keep working. When
 * retrying a transient failure stops (attempts, {@code maxElapsed}, a retry-after longer than
 * {@code maxDelay}, the budget, an interrupt) a {@link RetryExhaustedException} says why, with
 * the last failure as its cause and the earlier ones suppressed.
 * <p>
 * The static methods use the system clock and sleep; build an instance to inject a
 * {@link Sleeper}, a random source, a {@link Ticker} or a shared {@link RetryBudget}.
 */
public final class Retry {

    private static final Retry DEFAULT = builder().build();

    private final Sleeper sleeper;

    private final DoubleSupplier random;

    private final Ticker ticker;

    private final RetryBudget budget;

    private Retry(Builder builder) {
        this.sleeper = builder.sleeper;
        this.random = builder.random;
        this.ticker = builder.ticker;
        this.budget = builder.budget;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls {@code call}, retrying transient failures as {@code policy} says, on this thread.
     */
    public static <T> T withBackoff(Callable<T> call, RetryPolicy policy) throws Exception {
        return DEFAULT.call(call, policy, RetryListener.NONE);
    }

    /**
     * Like {@link #withBackoff(Callable, RetryPolicy)}, telling {@code listener} before each wait.
     */
    public static <T> T withBackoff(Callable<T> call, RetryPolicy policy, RetryListener listener) throws Exception {
        return DEFAULT.call(call, policy, listener);
    }

    /**
     * Calls {@code call} and, while the stage it returns fails transiently, calls it again after
     * a wait scheduled on {@code scheduler}: no thread blocks between attempts.
     * {@link java.util.concurrent.CompletionException} and
     * {@link java.util.concurrent.ExecutionException} are unwrapped before classifying.
     */
    public static <T> CompletableFuture<T> withBackoffAsync(Supplier<? extends CompletionStage<T>> call,
            RetryPolicy policy, ScheduledExecutorService scheduler) {
        return DEFAULT.callAsync(call, policy, scheduler, RetryListener.NONE);
    }

    /**
     * Calls {@code call}, retrying transient failures as {@code policy} says, on this thread.
     */
    public <T> T call(Callable<T> call, RetryPolicy policy, RetryListener listener) throws Exception {
        checkArguments(call, policy, listener);
        long start = policy.maxElapsed() == null ? 0 : ticker.read();
        if (budget != null) {
            budget.recordCall();
        }
        RetryRun run = null;
        for (int attempt = 1;; attempt++) {
            Throwable failure;
            try {
                T result = call.call();
                if (policy.retryOnResult() == null || !policy.retryOnResult().test(result)) {
                    return result;
                }
                failure = null;
            }
            catch (Throwable ex) {
                failure = ex;
            }
            if (run == null) {
                run = new RetryRun(policy, this, start);
            }
            RetryRun.Next next = run.afterAttempt(attempt, failure);
            if (next instanceof RetryRun.Rethrow rethrow) {
                throw asException(rethrow.failure());
            }
            if (next instanceof RetryRun.Stop stop) {
                throw stop.exception();
            }
            long delay = ((RetryRun.Wait) next).nanos();
            listener.onRetry(attempt, failure, Duration.ofNanos(delay));
            try {
                sleeper.sleep(delay);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw run.interrupted(attempt, ex);
            }
        }
    }

    /**
     * The instance form of {@link #withBackoffAsync}, with a listener.
     */
    public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> call, RetryPolicy policy,
            ScheduledExecutorService scheduler, RetryListener listener) {
        checkArguments(call, policy, listener);
        if (scheduler == null) {
            throw new IllegalArgumentException("scheduler must not be null");
        }
        long start = policy.maxElapsed() == null ? 0 : ticker.read();
        if (budget != null) {
            budget.recordCall();
        }
        AsyncRetry<T> retry = new AsyncRetry<>(this, call, policy, scheduler, listener, start);
        retry.attempt(1);
        return retry.result();
    }

    /**
     * Starts the decisions of one call whose attempts the caller makes itself, from now: counts
     * the call in the budget, and returns what to ask after each failed attempt.
     */
    public RetryRun run(RetryPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        long start = policy.maxElapsed() == null ? 0 : ticker.read();
        if (budget != null) {
            budget.recordCall();
        }
        return new RetryRun(policy, this, start);
    }

    double random() {
        return random.getAsDouble();
    }

    Ticker ticker() {
        return ticker;
    }

    RetryBudget budget() {
        return budget;
    }

    private static void checkArguments(Object call, RetryPolicy policy, RetryListener listener) {
        if (call == null) {
            throw new IllegalArgumentException("call must not be null");
        }
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null; use RetryListener.NONE");
        }
    }

    private static Exception asException(Throwable failure) {
        if (failure instanceof Error error) {
            throw error;
        }
        return failure instanceof Exception exception ? exception : new UndeclaredThrowableException(failure);
    }

    /**
     * Settings of a {@link Retry}.
     */
    public static final class Builder {

        private Sleeper sleeper = Sleeper.system();

        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Ticker ticker = Ticker.system();

        private RetryBudget budget;

        private Builder() {
        }

        /** Sets how to wait between attempts of {@link Retry#call}. */
        public Builder sleeper(Sleeper sleeper) {
            if (sleeper == null) {
                throw new IllegalArgumentException("sleeper must not be null");
            }
            this.sleeper = sleeper;
            return this;
        }

        /** Sets the source of uniform random numbers in {@code [0, 1)} used for jitter. */
        public Builder random(DoubleSupplier random) {
            if (random == null) {
                throw new IllegalArgumentException("random must not be null");
            }
            this.random = random;
            return this;
        }

        /** Sets the clock that {@code maxElapsed} is measured on. */
        public Builder ticker(Ticker ticker) {
            if (ticker == null) {
                throw new IllegalArgumentException("ticker must not be null");
            }
            this.ticker = ticker;
            return this;
        }

        /** Shares a retry budget between every call made through this instance; none by default. */
        public Builder budget(RetryBudget budget) {
            this.budget = budget;
            return this;
        }

        public Retry build() {
            return new Retry(this);
        }
    }
}
