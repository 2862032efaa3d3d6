package io.crossbridge.hardening.benchmarks.ratelimit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What any exact limiter must pay per allowed decision on one hot key, to read the hot-key rows
 * of {@link RateLimiterBenchmark} (allow path) against, in the same mode and unit: the clock
 * read alone, and the clock read plus one compare-and-set of a shared word (a token bucket with
 * no table, no check and no counter). A rejection writes nothing, so it has no such floor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms4g", "-Xmx4g" })
public class HotKeyFloorBenchmark {

    private final AtomicLong word = new AtomicLong();

    @Benchmark
    @Threads(1)
    public long clockOneThread() {
        return System.nanoTime();
    }

    @Benchmark
    @Threads(1)
    public long clockAndCasOneThread() {
        return takeOne();
    }

    @Benchmark
    @Threads(2)
    public long clockAndCasTwoThreads() {
        return takeOne();
    }

    private long takeOne() {
        long now = System.nanoTime();
        for (;;) {
            long tat = word.get();
            long next = Math.max(tat, now) + 1;
            if (word.compareAndSet(tat, next)) {
                return next;
            }
            Thread.onSpinWait();
        }
    }
}
