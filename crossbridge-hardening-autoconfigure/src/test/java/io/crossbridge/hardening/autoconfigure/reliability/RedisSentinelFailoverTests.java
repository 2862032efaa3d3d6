package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisSentinel;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * The Redis store behind Sentinel, as Boot configures it from {@code spring.data.redis.sentinel.*}:
 * the master is killed under load from four threads; until the sentinels promote its replica,
 * every decision gets {@code on-failure} within the timeout plus a margin, and afterwards the
 * store decides exactly again on the new master, and health, down meanwhile, is up, without a restart; on Lettuce and on Jedis (whose
 * pool follows the sentinels' announcement of the new master).
 */
@Tag("reliability")
class RedisSentinelFailoverTests {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(700);

    /** Never exhausted by the load: a rejection is an on-failure answer. */
    private static final RateLimit LOAD = RateLimit.of("load", 1_000_000, Duration.ofHours(1));

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = { "lettuce", "jedis" })
    void aMasterKilledUnderLoadIsFailedOverAndDecisionsAreExactAgainWithoutARestart(String client) throws Exception {
        try (RedisSentinel sentinel = RedisSentinel.start()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                            RateLimiterAutoConfiguration.class, HealthCheckAutoConfiguration.class))
                    .withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                            "crossbridge.hardening.rate-limit.redis.key-prefix=sentinel-" + UUID.randomUUID(),
                            "crossbridge.hardening.rate-limit.redis.timeout=" + TIMEOUT.toMillis() + "ms",
                            "crossbridge.hardening.rate-limit.redis.on-failure=deny",
                            // Every decision asks Redis: no thread spins on instant on-failure
                            // answers, taking the cores the sentinels need to fail over.
                            "crossbridge.hardening.rate-limit.redis.failure-pause=0ms",
                            "spring.data.redis.client-type=" + client,
                            // Jedis waits for a pooled connection no longer than a decision may take.
                            "spring.data.redis.jedis.pool.max-wait=" + TIMEOUT.toMillis() + "ms",
                            "spring.data.redis.sentinel.master=" + RedisSentinel.MASTER,
                            "spring.data.redis.sentinel.nodes=" + String.join(",", sentinel.sentinels()),
                            "spring.data.redis.timeout=1s", "spring.data.redis.connect-timeout=1s")
                    .run(context -> {
                        RedisRateLimiter limiter = context.getBean(RedisRateLimiter.class);
                        await().atMost(Duration.ofSeconds(30)).until(limiter::ping);
                        AtomicBoolean stop = new AtomicBoolean();
                        AtomicLong calls = new AtomicLong();
                        AtomicLong rejected = new AtomicLong();
                        AtomicLong slowest = new AtomicLong();
                        ExecutorService threads = Executors.newFixedThreadPool(4);
                        try {
                            List<Future<?>> load = new ArrayList<>();
                            for (int t = 0; t < 4; t++) {
                                int thread = t;
                                load.add(threads.submit(() -> {
                                    for (long i = 0; !stop.get(); i++) {
                                        long start = System.nanoTime();
                                        boolean allowed = limiter.tryAcquire("user-" + thread + "-" + (i % 100), LOAD);
                                        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                                        calls.incrementAndGet();
                                        if (!allowed) {
                                            rejected.incrementAndGet();
                                        }
                                    }
                                    return null;
                                }));
                            }
                            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 2_000);
                            assertThat(rejected).as("rejected before the failover").hasValue(0);

                            slowest.set(0);
                            long killed = System.nanoTime();
                            sentinel.killMaster();
                            await().atMost(Duration.ofSeconds(30)).until(() -> rejected.get() > 0);
                            assertThat(limiter.storeHealth().status()).as("health while the master is down")
                                    .isEqualTo(HealthStatus.UNHEALTHY);
                            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                                    .until(() -> sentinel.currentMasterPort() == sentinel.replicaPort());
                            await().atMost(Duration.ofSeconds(60)).until(() -> limiter.tryAcquire("probe", LOAD));
                            long failover = System.nanoTime() - killed;
                            stop.set(true);
                            for (Future<?> run : load) {
                                run.get(30, TimeUnit.SECONDS);
                            }
                            long slowestDuringFailover = slowest.get();
                            long rejectedDuringFailover = rejected.get();

                            // Refused by Redis itself: a Retry-After of a token's 20 minutes, not
                            // on-failure's moment.
                            RateLimit exact = RateLimit.of("exact", 3, Duration.ofHours(1));
                            long errorsBefore = limiter.storeErrors();
                            for (int key = 0; key < 20; key++) {
                                assertThat(limiter.acquire("after-" + key, exact, 3).allowed()).isTrue();
                                assertThat(limiter.acquire("after-" + key, exact, 1)).as("after-%d", key)
                                        .satisfies(refused -> assertThat(refused.allowed()).isFalse())
                                        .satisfies(refused -> assertThat(refused.retryAfter())
                                                .isGreaterThan(Duration.ofMinutes(10)));
                            }
                            assertThat(limiter.storeErrors()).isEqualTo(errorsBefore);
                            assertThat(limiter.storeHealth().status()).as("health on the new master")
                                    .isEqualTo(HealthStatus.HEALTHY);
                            assertThat(slowestDuringFailover).as("slowest decision during the failover, ns")
                                    .isLessThan(TIMEOUT.toNanos() + MARGIN_NANOS);
                            System.out.printf("sentinel failover on " + client + ": %d decisions, %d answered on-failure, decisions "
                                    + "on the new master %.1f s after the kill, slowest %.1f ms%n", calls.get(),
                                    rejectedDuringFailover, failover / 1e9, slowestDuringFailover / 1e6);
                        }
                        finally {
                            stop.set(true);
                            threads.shutdownNow();
                            threads.awaitTermination(30, TimeUnit.SECONDS);
                        }
                    });
        }
    }
}
