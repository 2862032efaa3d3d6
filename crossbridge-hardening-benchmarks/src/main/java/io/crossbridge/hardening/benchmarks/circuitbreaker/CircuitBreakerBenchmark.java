package io.crossbridge.hardening.benchmarks.circuitbreaker;

import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;
import io.crossbridge.hardening.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a closed circuit breaker around a call that succeeds: each library's score minus
 * {@code direct} is its overhead. Both are set up alike: a count window of the last 100 calls,
 * at least 10, 50% failures, 60 s slow calls, 30 s open. Both read the clock twice per call to
 * time it. Run with {@code -t 1} and {@code -t 2}: with two threads both record into one window.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CircuitBreakerBenchmark {

    private final CircuitBreaker crossbridge = new CircuitBreaker("bench", CircuitBreakerConfig.DEFAULT);

    private final io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4j = io.github.resilience4j.circuitbreaker.CircuitBreaker
            .of("bench", io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                    .slidingWindow(100, 10, SlidingWindowType.COUNT_BASED).failureRateThreshold(50)
                    .slowCallDurationThreshold(Duration.ofSeconds(60)).slowCallRateThreshold(100)
                    .waitDurationInOpenState(Duration.ofSeconds(30)).permittedNumberOfCallsInHalfOpenState(5).build());

    private int counter;

    private final Callable<Integer> call = () -> ++counter;

    @Benchmark
    public Integer direct() throws Exception {
        return call.call();
    }

    @Benchmark
    public Integer crossbridge() throws Exception {
        return crossbridge.call(call);
    }

    @Benchmark
    public Integer resilience4j() throws Exception {
        return resilience4j.executeCallable(call);
    }
}
