package io.crossbridge.hardening.benchmarks.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis store on Lettuce through a Redis Cluster ({@code REDIS_CLUSTER_NODES}, comma-separated
 * {@code host:port}) against a single Redis ({@code REDIS_HOST}/{@code REDIS_PORT}), in one run,
 * over 10,000 keys (so on every shard). Sample mode gives the time per decision and its p99;
 * decisions per second are threads / mean time. {@code scripts/redis-cluster.sh} starts both
 * topologies, runs this with {@code -t 8}, and reads what each Redis spent per decision.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class RedisClusterBenchmark {

    /** A billion tokens per 1,000 s: nothing is rejected, so both make the same decision. */
    private static final RateLimit LIMIT = RateLimit.of("bench", 1_000_000_000L, Duration.ofSeconds(1_000));

    private static final int KEYS = 10_000;

    @Param({ "single", "cluster" })
    public String topology;

    private final String[] names = new String[KEYS];

    private LettuceConnectionFactory connectionFactory;

    private RedisRateLimiter store;

    @Setup(Level.Trial)
    public void connect() {
        if (topology.equals("cluster")) {
            String nodes = System.getenv("REDIS_CLUSTER_NODES");
            if (nodes == null || nodes.isBlank()) {
                throw new IllegalStateException("REDIS_CLUSTER_NODES names no cluster node (host:port,...)");
            }
            connectionFactory = new LettuceConnectionFactory(new RedisClusterConfiguration(Arrays.asList(nodes.split(","))));
        }
        else {
            connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(
                    System.getenv().getOrDefault("REDIS_HOST", "localhost"),
                    Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"))));
        }
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        store = new RedisRateLimiter(connectionFactory, "bench", Duration.ofSeconds(2), OnFailure.DENY);
        for (int i = 0; i < KEYS; i++) {
            names[i] = "user-" + i;
        }
        if (!store.tryAcquire(names[0], LIMIT)) {
            throw new IllegalStateException("the " + topology + " Redis did not decide");
        }
    }

    @TearDown(Level.Trial)
    public void disconnect() {
        long errors = store.storeErrors();
        store.resetAll();
        connectionFactory.destroy();
        if (errors > 0) {
            throw new IllegalStateException(errors + " decisions failed on the " + topology + " Redis");
        }
    }

    @Benchmark
    public boolean decide() {
        return store.tryAcquire(names[ThreadLocalRandom.current().nextInt(KEYS)], LIMIT);
    }
}
