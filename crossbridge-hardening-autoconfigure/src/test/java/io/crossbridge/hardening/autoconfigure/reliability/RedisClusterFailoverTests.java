package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisCluster;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.lettuce.core.cluster.SlotHash;

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
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A master of a Redis Cluster killed under load from four threads, set up as the README advises
 * for a cluster whose other shards must go on deciding: Redis with
 * {@code cluster-require-full-coverage no} (else every node answers {@code CLUSTERDOWN} for every
 * key until the replica takes over), and the store asking Redis for every decision
 * ({@code redis.failure-pause: 0}). Decisions on the killed master's slots get {@code on-failure}
 * within the timeout plus a margin, the other shards' keys decide normally throughout, and once
 * its replica is promoted every shard decides exactly again, without a restart.
 */
@Tag("reliability")
class RedisClusterFailoverTests {

    private static final int KEYS = 1_000;

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(700);

    /** Never exhausted by the load: a rejection is an on-failure answer. */
    private static final RateLimit LOAD = RateLimit.of("load", 1_000_000, Duration.ofHours(1));

    @Test
    void aMasterKilledUnderLoadCostsOnlyItsSlotsAndTheClusterIsExactAgainAfterItsReplicaIsPromoted() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1, Duration.ofSeconds(3), false)) {
            String prefix = "failover-" + UUID.randomUUID();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                            RateLimiterAutoConfiguration.class, HealthCheckAutoConfiguration.class))
                    .withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                            "crossbridge.hardening.rate-limit.redis.key-prefix=" + prefix,
                            "crossbridge.hardening.rate-limit.redis.timeout=" + TIMEOUT.toMillis() + "ms",
                            "crossbridge.hardening.rate-limit.redis.failure-pause=0ms",
                            "crossbridge.hardening.rate-limit.redis.on-failure=deny",
                            "spring.data.redis.cluster.nodes=" + String.join(",", cluster.nodes()),
                            "spring.data.redis.timeout=1s", "spring.data.redis.connect-timeout=1s",
                            "spring.data.redis.lettuce.cluster.refresh.adaptive=true",
                            "spring.data.redis.lettuce.cluster.refresh.period=1s")
                    .run(context -> {
                        RedisRateLimiter limiter = context.getBean(RedisRateLimiter.class);
                        await().atMost(Duration.ofSeconds(30)).until(limiter::ping);
                        int victim = cluster.masters().get(0);
                        int[] slotMasters = cluster.slotMasters(victim);
                        boolean[] onVictim = new boolean[KEYS];
                        for (int key = 0; key < KEYS; key++) {
                            onVictim[key] = slotMasters[SlotHash.getSlot(prefix + ":load:user-" + key)] == victim;
                        }
                        AtomicBoolean stop = new AtomicBoolean();
                        AtomicBoolean killed = new AtomicBoolean();
                        AtomicLong calls = new AtomicLong();
                        AtomicLong rejectedElsewhere = new AtomicLong();
                        AtomicLong rejectedOnVictim = new AtomicLong();
                        AtomicLong slowestOnVictim = new AtomicLong();
                        ExecutorService threads = Executors.newFixedThreadPool(4);
                        try {
                            List<Future<?>> load = new ArrayList<>();
                            for (int t = 0; t < 4; t++) {
                                SplittableRandom random = new SplittableRandom(t);
                                load.add(threads.submit(() -> {
                                    while (!stop.get()) {
                                        int key = random.nextInt(KEYS);
                                        long start = System.nanoTime();
                                        boolean allowed = limiter.tryAcquire("user-" + key, LOAD);
                                        long took = System.nanoTime() - start;
                                        calls.incrementAndGet();
                                        if (onVictim[key]) {
                                            if (killed.get()) {
                                                slowestOnVictim.accumulateAndGet(took, Math::max);
                                            }
                                            if (!allowed) {
                                                rejectedOnVictim.incrementAndGet();
                                            }
                                        }
                                        else if (!allowed) {
                                            rejectedElsewhere.incrementAndGet();
                                        }
                                    }
                                    return null;
                                }));
                            }
                            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 5_000);
                            assertThat(rejectedOnVictim).as("rejected before the kill").hasValue(0);
                            // The keys were classified as Redis does (a bucket under this limit lives for
                            // a few milliseconds only, so it cannot be looked for).
                            int sample = firstOnVictim(onVictim);
                            String bucket = prefix + ":load:user-" + sample;
                            assertThat(cluster.cli(victim, "cluster", "keyslot", bucket).trim())
                                    .isEqualTo(Integer.toString(SlotHash.getSlot(bucket)));

                            long killedAt = System.nanoTime();
                            cluster.kill(victim);
                            killed.set(true);
                            await().atMost(Duration.ofSeconds(30)).until(() -> rejectedOnVictim.get() > 0);
                            long callsWhileDown = calls.get();
                            // Its replica promoted, and the store deciding on its slots again.
                            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                                    .until(() -> cluster.masters().size() == 3);
                            await().atMost(Duration.ofSeconds(60))
                                    .until(() -> limiter.tryAcquire("user-" + sample, LOAD));
                            long failover = System.nanoTime() - killedAt;
                            stop.set(true);
                            for (Future<?> run : load) {
                                run.get(30, TimeUnit.SECONDS);
                            }

                            assertThat(rejectedElsewhere).as("decisions on the other shards answered on-failure")
                                    .hasValue(0);
                            assertThat(slowestOnVictim.get()).as("slowest decision on the killed master's slots, ns")
                                    .isLessThan(TIMEOUT.toNanos() + MARGIN_NANOS);
                            RateLimit exact = RateLimit.of("exact", 3, Duration.ofHours(1));
                            for (int key = 0; key < 50; key++) {
                                assertThat(limiter.acquire("after-" + key, exact, 3).allowed()).as("after-%d", key)
                                        .isTrue();
                                assertThat(limiter.tryAcquire("after-" + key, exact)).as("after-%d", key).isFalse();
                            }
                            System.out.printf("cluster failover: %d decisions, %d on the killed master's slots "
                                    + "answered on-failure, none elsewhere, slowest there %.1f ms, its slots decided "
                                    + "again %.1f s after the kill (%d decisions by then)%n", calls.get(),
                                    rejectedOnVictim.get(), slowestOnVictim.get() / 1e6, failover / 1e9,
                                    callsWhileDown);
                        }
                        finally {
                            stop.set(true);
                            threads.shutdownNow();
                            threads.awaitTermination(30, TimeUnit.SECONDS);
                        }
                    });
        }
    }

    private static int firstOnVictim(boolean[] onVictim) {
        for (int key = 0; key < onVictim.length; key++) {
            if (onVictim[key]) {
                return key;
            }
        }
        throw new AssertionError("no key on the master to kill");
    }
}
