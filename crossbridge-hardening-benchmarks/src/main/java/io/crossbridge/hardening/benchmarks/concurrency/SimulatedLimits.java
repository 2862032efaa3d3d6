package io.crossbridge.hardening.benchmarks.concurrency;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Algorithm;
import io.crossbridge.hardening.concurrency.AimdLimit;
import io.crossbridge.hardening.concurrency.GradientLimit;
import io.crossbridge.hardening.concurrency.LimitAlgorithm;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The adaptive limits the simulation compares, each with the same bounds: starting at 10, between
 * 1 and 256, and each fed as its own library feeds it (Netflix's limiters pass the calls in flight
 * when a call started, crossbridge's when it ends). Both AIMD limits count a call slower than twice the unloaded latency as an overload,
 * the latency the scenario allows; Netflix's default of 5 s would never trip in it.
 */
public final class SimulatedLimits {

    static final int INITIAL = 10;

    static final int MIN = 1;

    static final int MAX = 256;

    private SimulatedLimits() {
    }

    public static List<Algorithm> all(AdaptiveLimitSimulation.Scenario scenario) {
        Duration timeout = Duration.ofNanos(2 * scenario.unloadedNanos());
        return List.of(
                ours("crossbridge GradientLimit", new GradientLimit(INITIAL, MIN, MAX)),
                netflix("Netflix Gradient2Limit", Gradient2Limit.newBuilder()
                        .initialLimit(INITIAL).minLimit(MIN).maxConcurrency(MAX).build()),
                ours("crossbridge AimdLimit", new AimdLimit(INITIAL, MIN, MAX, AimdLimit.DEFAULT_BACKOFF_RATIO, timeout)),
                netflix("Netflix AIMDLimit", AIMDLimit.newBuilder()
                        .initialLimit(INITIAL).minLimit(MIN).maxLimit(MAX)
                        .timeout(timeout.toNanos(), TimeUnit.NANOSECONDS).build()));
    }

    static Algorithm ours(String name, LimitAlgorithm algorithm) {
        return new Algorithm() {

            private int limit = algorithm.initialLimit();

            @Override
            public String name() {
                return name;
            }

            @Override
            public int limit() {
                return limit;
            }

            @Override
            public void onSample(long startNanos, long rttNanos, int inFlightAtStart, int inFlightAtEnd,
                    boolean overloaded) {
                limit = algorithm.update(startNanos, rttNanos, inFlightAtEnd, overloaded);
            }
        };
    }

    static Algorithm netflix(String name, Limit limit) {
        return new Algorithm() {

            @Override
            public String name() {
                return name;
            }

            @Override
            public int limit() {
                return limit.getLimit();
            }

            @Override
            public void onSample(long startNanos, long rttNanos, int inFlightAtStart, int inFlightAtEnd,
                    boolean overloaded) {
                limit.onSample(startNanos, rttNanos, inFlightAtStart, overloaded);
            }
        };
    }
}
