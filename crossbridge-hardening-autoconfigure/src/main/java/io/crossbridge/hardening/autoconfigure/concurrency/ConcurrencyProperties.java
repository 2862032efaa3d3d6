package io.crossbridge.hardening.autoconfigure.concurrency;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Concurrency limit settings, under {@code crossbridge.hardening.concurrency}.
 */
@ConfigurationProperties("crossbridge.hardening.concurrency")
public class ConcurrencyProperties {

    /**
     * Whether to enable concurrency limits.
     */
    private boolean enabled = true;

    /**
     * Position of the @ConcurrencyLimited advice on a call, from 0 to 1000: a lower value runs
     * outside a higher one. Inside the retry's 300 by default, so each attempt takes its own place
     * and holds none during the backoff; below 300 a place is held for the whole call, retries
     * included.
     */
    private int order = 400; // AdviceOrder.CONCURRENCY, written out for the metadata processor

    /**
     * Limits by name, each used by the @ConcurrencyLimited methods that name it.
     */
    private Map<String, Limit> limits = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getOrder() {
        return order;
    }

    public void setOrder(int order) {
        this.order = order;
    }

    public Map<String, Limit> getLimits() {
        return limits;
    }

    public void setLimits(Map<String, Limit> limits) {
        this.limits = limits;
    }

    /** The algorithm of an adaptive limit. */
    public enum Algorithm {

        /** Grows while latency stays near its unloaded value, shrinks as it rises. */
        GRADIENT,

        /** Grows by one per limit's worth of calls in time, shrinks by a ratio on an overload. */
        AIMD
    }

    /**
     * One limit.
     */
    public static class Limit {

        /**
         * Calls in flight at most: over all calls of the name, or per key for a method with a
         * key. The starting limit of an adaptive one. At least 1.
         */
        private int maxConcurrent = 25;

        /**
         * Longest a call over the limit waits for a place before it is refused; 0 refuses at once.
         */
        private Duration maxWait = Duration.ZERO;

        /**
         * Whether the limit follows the provider's latency between min and max rather than stay
         * at max-concurrent. Not for methods with a key.
         */
        private boolean adaptive;

        /**
         * Algorithm of an adaptive limit.
         */
        private Algorithm algorithm = Algorithm.GRADIENT;

        /**
         * Lowest an adaptive limit goes; at least 1.
         */
        private int min = 1;

        /**
         * Highest an adaptive limit goes; at least max-concurrent.
         */
        private int max = 200;

        /**
         * For the aimd algorithm: a call at least this long counts as an overload, as a 429 or a
         * 503 does.
         */
        private Duration slowCallDuration = Duration.ofSeconds(5);

        /**
         * Most keys with calls in flight or waiting at once, for methods with a key; a call of a
         * new key beyond it is refused. A key holds memory only while it has calls.
         */
        private int maxKeys = 10_000;

        public int getMaxConcurrent() {
            return maxConcurrent;
        }

        public void setMaxConcurrent(int maxConcurrent) {
            this.maxConcurrent = maxConcurrent;
        }

        public Duration getMaxWait() {
            return maxWait;
        }

        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }

        public boolean isAdaptive() {
            return adaptive;
        }

        public void setAdaptive(boolean adaptive) {
            this.adaptive = adaptive;
        }

        public Algorithm getAlgorithm() {
            return algorithm;
        }

        public void setAlgorithm(Algorithm algorithm) {
            this.algorithm = algorithm;
        }

        public int getMin() {
            return min;
        }

        public void setMin(int min) {
            this.min = min;
        }

        public int getMax() {
            return max;
        }

        public void setMax(int max) {
            this.max = max;
        }

        public Duration getSlowCallDuration() {
            return slowCallDuration;
        }

        public void setSlowCallDuration(Duration slowCallDuration) {
            this.slowCallDuration = slowCallDuration;
        }

        public int getMaxKeys() {
            return maxKeys;
        }

        public void setMaxKeys(int maxKeys) {
            this.maxKeys = maxKeys;
        }
    }
}
