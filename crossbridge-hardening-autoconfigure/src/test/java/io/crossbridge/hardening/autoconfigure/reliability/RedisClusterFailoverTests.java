package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisCluster;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.lettuce.core.cluster.SlotHash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A master of a Redis Cluster killed, or hung ({@code SIGSTOP}: its connections stay open and
 * nothing answers, as with a machine that stalls), under load from four threads, set up as the README advises
 * for a cluster whose other shards must go on deciding: Redis with
 * {@code cluster-require-full-coverage no} (else every node answers {@code CLUSTERDOWN} for every
 * key until the replica takes over), the store on its defaults otherwise (its failure pause is
 * per master). Decisions on its slots get {@code on-failure} within the timeout
 * plus a margin and health names that master, the other shards' keys decide normally throughout,
 * and once its replica is promoted every shard decides exactly again and health is up, without a
 * restart.
 */
@Tag("reliability")
class RedisClusterFailoverTests {

    private static final int KEYS = 1_000;

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(700);

    /** Never exhausted by the load: a rejection is an on-failure answer. */
    private static final RateLimit LOAD = RateLimit.of("load", 1_000_000, Duration.ofHours(1));

    @ParameterizedTest(name = "a master {0}")
    @ValueSource(strings = { "killed", "hung" })
    void aMasterLostUnderLoadCostsOnlyItsSlotsAndTheClusterIsExactAgainAfterItsReplicaIsPromoted(String how)
            throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1, Duration.ofSeconds(3), false)) {
            String prefix = "failover-" + UUID.randomUUID();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                            RateLimiterAutoConfiguration.class, HealthCheckAutoConfiguration.class))
                    .withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                            "crossbridge.hardening.rate-limit.redis.key-prefix=" + prefix,
                            "crossbridge.hardening.rate-limit.redis.timeout=" + TIMEOUT.toMillis() + "ms",
                            "crossbridge.hardening.rate-limit.redis.on-failure=deny",
                            "spring.data.redis.cluster.nodes=" + String.join(",", cluster.nodes()),
                            "spring.data.redis.timeout=1s", "spring.data.redis.connect-timeout=1s",
                            "spring.data.redis.lettuce.cluster.refresh.adaptive=true",
                            "spring.data.redis.lettuce.cluster.refresh.period=1s")
                    .run(context -> {
                        RedisRateLimiter limiter = context.getBean(RedisRateLimiter.class);
                        await().atMost(Duration.ofSeconds(30)).until(limiter::ping);
                        int victim = cluster.masters().get(0);
                        List<Integer> others = cluster.masters().subList(1, 3);
                        int[] slotMasters = cluster.slotMasters(victim);
                        assertThat(slotMasters).as("a master for every slot").doesNotContain(0);
                        boolean[] onVictim = new boolean[KEYS];
                        for (int key = 0; key < KEYS; key++) {
                            onVictim[key] = slotMasters[SlotHash.getSlot(prefix + ":load:user-" + key)] == victim;
                        }
                        AtomicBoolean stop = new AtomicBoolean();
                        AtomicBoolean killed = new AtomicBoolean();
                        AtomicBoolean recovered = new AtomicBoolean();
                        AtomicLong decidedElsewhereWhileDown = new AtomicLong();
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
                                        else if (killed.get() && !recovered.get()) {
                                            decidedElsewhereWhileDown.incrementAndGet();
                                        }
                                    }
                                    return null;
                                }));
                            }
                            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 5_000);
                            assertThat(rejectedOnVictim).as("rejected before the kill").hasValue(0);
                            int sample = firstOnVictim(onVictim);

                            long killedAt = System.nanoTime();
                            if (how.equals("killed")) {
                                cluster.kill(victim);
                            }
                            else {
                                cluster.hang(victim);
                            }
                            killed.set(true);
                            await().atMost(Duration.ofSeconds(30)).until(() -> rejectedOnVictim.get() > 0);
                            HealthResult down = limiter.storeHealth();
                            assertThat(down.status()).isEqualTo(HealthStatus.UNHEALTHY);
                            assertThat(down.message()).as("health names the lost master, and only it")
                                    .contains(":" + victim + ": ")
                                    .doesNotContain(":" + others.get(0) + ":").doesNotContain(":" + others.get(1) + ":");
                            // Its replica promoted, and the store deciding on its slots again.
                            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                                    .ignoreExceptions().until(() -> cluster.masters().size() == 3);
                            await().atMost(Duration.ofSeconds(60))
                                    .until(() -> limiter.tryAcquire("user-" + sample, LOAD));
                            recovered.set(true);
                            long failover = System.nanoTime() - killedAt;
                            stop.set(true);
                            for (Future<?> run : load) {
                                run.get(30, TimeUnit.SECONDS);
                            }

                            assertThat(rejectedElsewhere).as("decisions on the other shards answered on-failure")
                                    .hasValue(0);
                            assertThat(decidedElsewhereWhileDown).as("the other shards' decisions while it was down")
                                    .hasValueGreaterThan(50);
                            assertThat(slowestOnVictim.get()).as("slowest decision on the lost master's slots, ns")
                                    .isLessThan(TIMEOUT.toNanos() + MARGIN_NANOS);
                            // Exact on every master, the promoted replica included: refused by Redis itself
                            // (a Retry-After of a token's 20 minutes, not on-failure's moment).
                            RateLimit exact = RateLimit.of("exact", 3, Duration.ofHours(1));
                            long errorsBefore = limiter.storeErrors();
                            int[] mastersAfter = cluster.slotMasters(cluster.masters().get(0));
                            Set<Integer> covered = new HashSet<>();
                            for (int key = 0; key < 50; key++) {
                                covered.add(mastersAfter[SlotHash.getSlot(prefix + ":exact:after-" + key)]);
                                assertThat(limiter.acquire("after-" + key, exact, 3).allowed()).as("after-%d", key)
                                        .isTrue();
                                assertThat(limiter.acquire("after-" + key, exact, 1)).as("after-%d", key)
                                        .satisfies(refused -> assertThat(refused.allowed()).isFalse())
                                        .satisfies(refused -> assertThat(refused.retryAfter())
                                                .isGreaterThan(Duration.ofMinutes(10)));
                            }
                            assertThat(limiter.storeErrors()).isEqualTo(errorsBefore);
                            // Up once Lettuce's topology shows the lost master without slots.
                            await().atMost(Duration.ofSeconds(30))
                                    .until(() -> limiter.storeHealth().status() == HealthStatus.HEALTHY);
                            assertThat(covered).containsExactlyInAnyOrderElementsOf(cluster.masters());
                            System.out.printf("cluster failover, a master " + how + ": %d decisions, %d on its slots "
                                    + "answered on-failure, slowest there %.1f ms; on the other shards %d decided "
                                    + "meanwhile and none failed; its slots decided again %.1f s after it was lost%n",
                                    calls.get(), rejectedOnVictim.get(), slowestOnVictim.get() / 1e6,
                                    decidedElsewhereWhileDown.get(), failover / 1e9);
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
