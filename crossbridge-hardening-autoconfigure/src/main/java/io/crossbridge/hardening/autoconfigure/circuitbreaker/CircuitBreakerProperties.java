package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.circuitbreaker.CircuitBreakerConfig.WindowType;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Circuit breaker settings, under {@code crossbridge.hardening.circuit-breaker}.
 */
@ConfigurationProperties("crossbridge.hardening.circuit-breaker")
public class CircuitBreakerProperties {

    /**
     * Whether to enable circuit breakers.
     */
    private boolean enabled = true;

    /**
     * Position of the @CircuitBreaker advice on a call, from 0 to 1000: a lower value runs outside
     * a higher one. Between the rate limit's 100 and the retry's 300 by default, so a retried call
     * counts once for the breaker.
     */
    private int order = 200; // AdviceOrder.CIRCUIT_BREAKER, written out for the metadata processor

    /**
     * Breakers by name. A built-in breaker named default exists without configuration; every
     * setting left out takes the default: 50% failures or 100% slow calls (60s) over the last 100
     * calls, at least 10, open for 30s, then 5 trial calls, awaited at most 60s.
     */
    private Map<String, Instance> instances = new LinkedHashMap<>();

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

    public Map<String, Instance> getInstances() {
        return instances;
    }

    public void setInstances(Map<String, Instance> instances) {
        this.instances = instances;
    }

    /**
     * One breaker.
     */
    public static class Instance {

        /**
         * Percent of failed calls in the window at which the circuit opens: above 0, at most 100.
         */
        private Float failureRateThreshold;

        /**
         * Percent of slow calls at which the circuit opens: above 0, at most 100.
         */
        private Float slowCallRateThreshold;

        /**
         * A call at least this long is slow.
         */
        private Duration slowCallDuration;

        /**
         * Whether the window holds the last window-size calls (count) or the calls of the last
         * window-size seconds (time).
         */
        private WindowType windowType;

        /**
         * Calls or seconds in the window: 1 to 10000.
         */
        private Integer windowSize;

        /**
         * Calls the window needs before its rates count: 1 to 10000.
         */
        private Integer minimumCalls;

        /**
         * Time the circuit stays open before it lets trial calls through.
         */
        private Duration waitInOpen;

        /**
         * Trial calls in the half-open state; their failure rate closes or reopens the circuit.
         */
        private Integer permittedCallsInHalfOpen;

        /**
         * Longest the half-open circuit waits for its trial calls' outcomes; with trials still
         * unfinished after it, the circuit opens again.
         */
        private Duration maxWaitInHalfOpen;

        public Float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(Float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public Float getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        public void setSlowCallRateThreshold(Float slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
        }

        public Duration getSlowCallDuration() {
            return slowCallDuration;
        }

        public void setSlowCallDuration(Duration slowCallDuration) {
            this.slowCallDuration = slowCallDuration;
        }

        public WindowType getWindowType() {
            return windowType;
        }

        public void setWindowType(WindowType windowType) {
            this.windowType = windowType;
        }

        public Integer getWindowSize() {
            return windowSize;
        }

        public void setWindowSize(Integer windowSize) {
            this.windowSize = windowSize;
        }

        public Integer getMinimumCalls() {
            return minimumCalls;
        }

        public void setMinimumCalls(Integer minimumCalls) {
            this.minimumCalls = minimumCalls;
        }

        public Duration getWaitInOpen() {
            return waitInOpen;
        }

        public void setWaitInOpen(Duration waitInOpen) {
            this.waitInOpen = waitInOpen;
        }

        public Integer getPermittedCallsInHalfOpen() {
            return permittedCallsInHalfOpen;
        }

        public void setPermittedCallsInHalfOpen(Integer permittedCallsInHalfOpen) {
            this.permittedCallsInHalfOpen = permittedCallsInHalfOpen;
        }

        public Duration getMaxWaitInHalfOpen() {
            return maxWaitInHalfOpen;
        }

        public void setMaxWaitInHalfOpen(Duration maxWaitInHalfOpen) {
            this.maxWaitInHalfOpen = maxWaitInHalfOpen;
        }
    }
}
