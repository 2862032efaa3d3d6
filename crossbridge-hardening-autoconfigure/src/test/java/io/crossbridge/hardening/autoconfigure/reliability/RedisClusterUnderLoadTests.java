package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisCluster;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis store on a Redis Cluster of three masters and three replicas on loopback, as two
 * application instances configure it through Boot's {@code spring.data.redis.cluster.nodes}:
 * shared limits stay exact under load from both.
 */
@Tag("reliability")
class RedisClusterUnderLoadTests {

    private static final int KEYS = 1_000;

    private static final int THREADS_PER_INSTANCE = 4;

    /** About a tenth of the cluster's 16,384 slots, and so of the keys. */
    private static final int SLOTS_MOVED = 1_600;

    private static final RateLimit LIMIT = RateLimit.of("exact", 5, Duration.ofHours(1));

    /** A cluster per test: some change its topology. */
    private RedisCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = RedisCluster.start(3, 1);
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private ApplicationContextRunner instance(String prefix) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        RateLimiterAutoConfiguration.class, HealthCheckAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                        "crossbridge.hardening.rate-limit.redis.key-prefix=" + prefix,
                        "crossbridge.hardening.rate-limit.redis.timeout=2s",
                        "spring.data.redis.cluster.nodes=" + String.join(",", cluster.nodes()),
                        "spring.data.redis.timeout=2s", "spring.data.redis.connect-timeout=2s",
                        "spring.data.redis.lettuce.cluster.refresh.adaptive=true",
                        "spring.data.redis.lettuce.cluster.refresh.period=1s");
    }

    @Test
    void twoInstancesAdmitExactlyTheCapacityOfEveryKeyOnEveryShard() {
        String prefix = "cluster-exact-" + UUID.randomUUID();
        instance(prefix).run(first -> instance(prefix).run(second -> {
            List<RedisRateLimiter> instances = connected(first.getBean(RedisRateLimiter.class),
                    second.getBean(RedisRateLimiter.class));

            try (Load load = Load.start(instances)) {
                long start = System.nanoTime();
                await().atMost(Duration.ofSeconds(120)).until(() -> load.calls() >= 2L * THREADS_PER_INSTANCE * KEYS * 3);
                load.finish();
                assertExact(load, instances);
                System.out.printf("cluster, two instances: %d decisions over %d keys in %.1f s%n", load.calls(), KEYS,
                        (System.nanoTime() - start) / 1e9);
            }
            List<Integer> masters = cluster.masters();
            assertThat(masters).hasSize(3)
                    .allSatisfy(master -> assertThat(bucketsOn(master, prefix)).as("buckets on %d", master).isPositive());
            assertThat(masters.stream().mapToLong(master -> bucketsOn(master, prefix)).sum()).isEqualTo(KEYS);
            instances.get(0).resetAll();
        }));
    }

    /**
     * A tenth of the slots move from one master to another while both instances decide: keys
     * mid-move are answered through ASK redirections, moved slots through MOVED, and every key is
     * still admitted exactly its capacity, with no store error.
     */
    @Test
    void slotsMigratedUnderLoadNeitherLoseNorDoubleADecision() {
        String prefix = "cluster-migrate-" + UUID.randomUUID();
        instance(prefix).run(first -> instance(prefix).run(second -> {
            List<RedisRateLimiter> instances = connected(first.getBean(RedisRateLimiter.class),
                    second.getBean(RedisRateLimiter.class));
            List<Integer> masters = cluster.masters();
            int from = masters.get(0);
            int to = masters.get(1);

            try (Load load = Load.start(instances)) {
                // By then nearly every key has a bucket (each was asked about ten times).
                await().atMost(Duration.ofSeconds(60)).until(() -> load.calls() >= 10_000);
                long bucketsBefore = bucketsOn(from, prefix);
                long callsBefore = load.calls();
                cluster.reshard(from, to, SLOTS_MOVED);
                long callsDuring = load.calls() - callsBefore;
                load.finish();

                assertExact(load, instances);
                assertThat(callsDuring).as("decisions while the slots moved").isGreaterThan(1_000);
                assertThat(bucketsOn(from, prefix)).as("buckets left on the master the slots left").isLessThan(bucketsBefore);
                System.out.printf("cluster slot migration: %d decisions during the move of %d slots, "
                        + "ASKING on the importing master %d times%n", callsDuring, SLOTS_MOVED, asking(to));
            }
            instances.get(0).resetAll();
        }));
    }

    private static List<RedisRateLimiter> connected(RedisRateLimiter... instances) {
        for (RedisRateLimiter limiter : instances) {
            await().atMost(Duration.ofSeconds(30)).until(limiter::ping);
        }
        return List.of(instances);
    }

    private static void assertExact(Load load, List<RedisRateLimiter> instances) {
        for (int key = 0; key < KEYS; key++) {
            assertThat(load.admitted(key)).as("admitted for user-%d", key).isEqualTo((int) LIMIT.capacity());
        }
        assertThat(instances).allSatisfy(limiter -> assertThat(limiter.storeErrors()).as("store errors").isZero());
    }

    /** How often a node was sent ASKING, the command a client sends before following an ASK redirection. */
    private long asking(int port) throws IOException {
        return cluster.cli(port, "info", "commandstats").lines().filter(line -> line.startsWith("cmdstat_asking:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("^cmdstat_asking:calls=(\\d+),.*$", "$1").trim()))
                .sum();
    }

    private long bucketsOn(int master, String prefix) {
        try {
            return cluster.cli(master, "--scan", "--pattern", prefix + ":*").lines().filter(line -> !line.isBlank())
                    .count();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Threads over both instances, asking for random keys until finished, counting what each key
     * was admitted; then every key is asked for its capacity once more, so that a key left below
     * its capacity by chance is not mistaken for a lost decision.
     */
    private static final class Load implements AutoCloseable {

        private final List<RedisRateLimiter> instances;

        private final AtomicIntegerArray admitted = new AtomicIntegerArray(KEYS);

        private final AtomicLong calls = new AtomicLong();

        private final AtomicBoolean stop = new AtomicBoolean();

        private final ExecutorService threads = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);

        private final List<Future<?>> runs = new ArrayList<>();

        private Load(List<RedisRateLimiter> instances) {
            this.instances = instances;
        }

        static Load start(List<RedisRateLimiter> instances) {
            Load load = new Load(instances);
            for (int t = 0; t < 2 * THREADS_PER_INSTANCE; t++) {
                RedisRateLimiter limiter = instances.get(t % 2);
                SplittableRandom random = new SplittableRandom(t);
                load.runs.add(load.threads.submit(() -> {
                    while (!load.stop.get()) {
                        load.ask(limiter, random.nextInt(KEYS));
                    }
                    return null;
                }));
            }
            return load;
        }

        long calls() {
            return calls.get();
        }

        int admitted(int key) {
            return admitted.get(key);
        }

        void finish() throws Exception {
            stop.set(true);
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
            for (int key = 0; key < KEYS; key++) {
                for (int call = 0; call < LIMIT.capacity(); call++) {
                    ask(instances.get((key + call) % 2), key);
                }
            }
        }

        private void ask(RedisRateLimiter limiter, int key) {
            if (limiter.tryAcquire("user-" + key, LIMIT)) {
                admitted.incrementAndGet(key);
            }
            calls.incrementAndGet();
        }

        @Override
        public void close() {
            stop.set(true);
            threads.shutdownNow();
        }
    }
}
