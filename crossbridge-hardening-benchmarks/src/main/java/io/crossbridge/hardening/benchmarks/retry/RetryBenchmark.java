package io.crossbridge.hardening.benchmarks.retry;

import io.crossbridge.hardening.retry.Retry;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.retry.RetryConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;

/**
 * The cost of wrapping a call that succeeds the first time in a retry, per library, against the
 * direct call: each library's score minus {@code direct} is its overhead. Every library is set
 * up alike: 3 attempts, 500 ms apart.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RetryBenchmark {

    private final RetryPolicy policy = RetryPolicy.DEFAULT;

    private final io.github.resilience4j.retry.Retry resilience4j = io.github.resilience4j.retry.Retry.of("bench",
            RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(500)).build());

    private final RetryTemplate spring = new RetryTemplate(org.springframework.core.retry.RetryPolicy.builder()
            .maxRetries(2).delay(Duration.ofMillis(500)).build());

    private int counter;

    private final Callable<Integer> call = () -> ++counter;

    @Benchmark
    public Integer direct() throws Exception {
        return call.call();
    }

    @Benchmark
    public Integer crossbridge() throws Exception {
        return Retry.withBackoff(call, policy);
    }

    @Benchmark
    public Integer resilience4j() throws Exception {
        return resilience4j.executeCallable(call);
    }

    @Benchmark
    public Integer springRetryTemplate() throws RetryException {
        return spring.execute(call::call);
    }
}
