package io.crossbridge.hardening.benchmarks.ratelimit;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-key {@code tryAcquire} of one token, the same call for every library: one hot key or keys
 * drawn at random from 10,000 or 1,000,000, every key created before measuring; on the allow path
 * (a capacity no run exhausts) and the reject path (every bucket empty).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms4g", "-Xmx4g" })
public class RateLimiterBenchmark {

    @Param({ "crossbridge", "bucket4j", "resilience4j", "guava" })
    public String library;

    @Param({ "1", "10000", "1000000" })
    public int keys;

    @Param({ "allow", "reject" })
    public String path;

    private KeyedLimiter limiter;

    private String[] keyNames;

    @Setup(Level.Trial)
    public void createBuckets() {
        keyNames = new String[keys];
        limiter = KeyedLimiter.create(library, path.equals("allow"), keys + 1);
        for (int i = 0; i < keys; i++) {
            keyNames[i] = "user-" + i;
            // Creates the bucket; on the reject path it also takes the one token.
            limiter.tryAcquire(keyNames[i]);
        }
    }

    @Benchmark
    @Threads(1)
    public boolean oneThread(KeyCursor cursor) {
        return limiter.tryAcquire(keyNames[cursor.next(keys)]);
    }

    @Benchmark
    @Threads(2)
    public boolean twoThreads(KeyCursor cursor) {
        return limiter.tryAcquire(keyNames[cursor.next(keys)]);
    }

    /**
     * A per-thread xorshift sequence of key indexes: a few instructions, the same for every
     * library.
     */
    @State(Scope.Thread)
    public static class KeyCursor {

        private long state = System.nanoTime() | 1;

        int next(int bound) {
            long x = state;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return (int) (((x >>> 32) * bound) >>> 32);
        }
    }
}
