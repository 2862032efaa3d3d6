package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.retry.Jitter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Retry settings, under {@code crossbridge.hardening.retry}.
 */
@ConfigurationProperties("crossbridge.hardening.retry")
public class RetryProperties {

    /**
     * Whether to enable retries.
     */
    private boolean enabled = true;

    /**
     * Retry policies by name. The built-in aggressive, conservative, quick and default policies
     * exist without configuration; an entry with their name overrides what it sets, other names
     * add policies, starting from the default policy.
     */
    private Map<String, Policy> policies = new LinkedHashMap<>();

    /**
     * Position of the @RetryWithBackoff advice on a call, from 0 to 1000: a lower value runs
     * outside a higher one. Above the rate limit's 100 by default, so retries run inside one
     * rate-limited call.
     */
    private int order = 300; // AdviceOrder.RETRY, written out for the metadata processor

    private final Budget budget = new Budget();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Map<String, Policy> getPolicies() {
        return policies;
    }

    public void setPolicies(Map<String, Policy> policies) {
        this.policies = policies;
    }

    public Budget getBudget() {
        return budget;
    }

    public int getOrder() {
        return order;
    }

    public void setOrder(int order) {
        this.order = order;
    }

    /**
     * A cap on retries shared by every @RetryWithBackoff method, so that a provider failing every
     * call sees at most ratio times more traffic, not max-attempts times.
     */
    public static class Budget {

        /**
         * Retries allowed per first attempt over the last 10 seconds, such as 0.2; no budget
         * unless set.
         */
        private Double ratio;

        /**
         * Retries allowed per second whatever the ratio, so that a quiet service can still retry.
         */
        private int minRetriesPerSecond = 10;

        public Double getRatio() {
            return ratio;
        }

        public void setRatio(Double ratio) {
            this.ratio = ratio;
        }

        public int getMinRetriesPerSecond() {
            return minRetriesPerSecond;
        }

        public void setMinRetriesPerSecond(int minRetriesPerSecond) {
            this.minRetriesPerSecond = minRetriesPerSecond;
        }
    }

    /**
     * One policy. A setting left out keeps the value of the built-in policy of the same name, or
     * of the default policy.
     */
    public static class Policy {

        /**
         * Attempts in all, the first included: 1 to 100.
         */
        private Integer maxAttempts;

        /**
         * Wait before the first retry, before jitter.
         */
        private Duration baseDelay;

        /**
         * Longest single wait: at least base-delay, at most 1 day.
         */
        private Duration maxDelay;

        /**
         * Growth of the wait per retry: at least 1.
         */
        private Double multiplier;

        /**
         * How waits are randomized.
         */
        private Jitter jitter;

        /**
         * Most time from the first attempt to the start of the last; none unless set.
         */
        private Duration maxElapsed;

        /**
         * Most time one attempt of a CompletionStage or reactive method may take (for a Flux,
         * until its first element): the attempt is then cancelled and retried as a transient
         * failure. None unless set; blocking methods are bounded by their clients' timeouts.
         */
        private Duration timeout;

        /**
         * More failure types to retry, with their subclasses.
         */
        private List<Class<? extends Throwable>> retryOn = new ArrayList<>();

        /**
         * Failure types never to retry, with their subclasses; these win over retry-on.
         */
        private List<Class<? extends Throwable>> abortOn = new ArrayList<>();

        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getBaseDelay() {
            return baseDelay;
        }

        public void setBaseDelay(Duration baseDelay) {
            this.baseDelay = baseDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public Double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(Double multiplier) {
            this.multiplier = multiplier;
        }

        public Jitter getJitter() {
            return jitter;
        }

        public void setJitter(Jitter jitter) {
            this.jitter = jitter;
        }

        public Duration getMaxElapsed() {
            return maxElapsed;
        }

        public void setMaxElapsed(Duration maxElapsed) {
            this.maxElapsed = maxElapsed;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public List<Class<? extends Throwable>> getRetryOn() {
            return retryOn;
        }

        public void setRetryOn(List<Class<? extends Throwable>> retryOn) {
            this.retryOn = retryOn;
        }

        public List<Class<? extends Throwable>> getAbortOn() {
            return abortOn;
        }

        public void setAbortOn(List<Class<? extends Throwable>> abortOn) {
            this.abortOn = abortOn;
        }
    }
}
