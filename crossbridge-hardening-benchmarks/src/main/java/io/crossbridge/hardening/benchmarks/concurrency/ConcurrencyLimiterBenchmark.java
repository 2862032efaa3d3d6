package io.crossbridge.hardening.benchmarks.concurrency;

import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;

import java.time.Duration;
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

import org.springframework.util.ConcurrencyThrottleSupport;

/**
 * Taking and giving back a permit of a fixed concurrency limit that is never full (64 calls in
 * flight allowed): crossbridge's {@code ConcurrencyLimiter}, Resilience4j's semaphore
 * {@code Bulkhead} (no wait), and the throttle under Spring Framework 7's {@code @ConcurrencyLimit}
 * ({@code ConcurrencyThrottleSupport}'s {@code beforeAccess} / {@code afterAccess}, without the
 * proxy around it). Run with {@code -t 1} and {@code -t 2}: with two threads both take from one
 * limit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConcurrencyLimiterBenchmark {

    private static final int LIMIT = 64;

    private final ConcurrencyLimiter crossbridge = ConcurrencyLimiter.fixed("bench", LIMIT);

    private final Bulkhead resilience4j = Bulkhead.of("bench",
            BulkheadConfig.custom().maxConcurrentCalls(LIMIT).maxWaitDuration(Duration.ZERO).build());

    private final SpringThrottle spring = new SpringThrottle();

    @Benchmark
    public boolean crossbridge() {
        if (crossbridge.tryAcquire()) {
            crossbridge.release();
            return true;
        }
        return false;
    }

    @Benchmark
    public boolean resilience4j() {
        if (resilience4j.tryAcquirePermission()) {
            resilience4j.onComplete();
            return true;
        }
        return false;
    }

    @Benchmark
    public boolean spring() {
        spring.enter();
        spring.exit();
        return true;
    }

    /** Spring's throttle with its two protected steps opened up. */
    static final class SpringThrottle extends ConcurrencyThrottleSupport {

        private static final long serialVersionUID = 1L;

        SpringThrottle() {
            setConcurrencyLimit(LIMIT);
        }

        void enter() {
            beforeAccess();
        }

        void exit() {
            afterAccess();
        }
    }
}
