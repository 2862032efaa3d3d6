package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis store, on each client library, while Redis cannot answer: a port where nothing
 * listens, a server this test stops and starts again, and one frozen by a slow command. Every
 * call answers within the timeout plus a margin, as {@code on-failure} says, and a server that
 * is back is used again without a restart.
 */
class RedisStoreFailureTests {

    private static final Duration TIMEOUT = Duration.ofMillis(100);

    /** Scheduling on a shared two-core machine, not Redis: a real wait would be seconds. */
    private static final long MARGIN_MILLIS = 400;

    private static final RateLimit LIMIT = RateLimit.of("search", 2, Duration.ofHours(1));

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void nothingListeningGivesTheOnFailureAnswerAtOnce(ClientLibrary library) throws Exception {
        RedisConnectionFactory factory = library.connect("localhost", RedisProcess.freePort());
        try {
            RedisRateLimiter allowing = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.ALLOW);
            RedisRateLimiter denying = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.DENY);

            for (int i = 0; i < 5; i++) {
                assertThat(timed(() -> allowing.acquire("alice", LIMIT, 1)).allowed()).isTrue();
                RateLimitDecision denied = timed(() -> denying.acquire("alice", LIMIT, 1));
                assertThat(denied.allowed()).isFalse();
                assertThat(denied.retryAfter()).isPositive();
            }
            assertThat(allowing.storeErrors()).isPositive();
            assertThat(denying.ping()).isFalse();
        }
        finally {
            ClientLibrary.destroy(factory);
        }
    }

    /**
     * A server that accepts connections and never answers, as a Redis behind a network that drops
     * packets after the handshake: connecting takes the driver's whole connect timeout, so no
     * decision may wait on a connect, and concurrent requests must not queue behind one.
     */
    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void silentServerGivesConcurrentRequestsTheOnFailureAnswerWithinTheTimeout(ClientLibrary library)
            throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            RedisConnectionFactory factory = library.connect("localhost", silent.getLocalPort());
            ExecutorService requests = Executors.newFixedThreadPool(4);
            try {
                RedisRateLimiter limiter = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.DENY);
                List<Future<RateLimitDecision>> decisions = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    decisions.add(requests.submit(() -> timed(() -> limiter.acquire("alice", LIMIT, 1))));
                }
                for (Future<RateLimitDecision> decision : decisions) {
                    // Within the timeout and margin of timed(), with one more margin for the queue.
                    assertThat(decision.get(TIMEOUT.toMillis() + 2 * MARGIN_MILLIS, TimeUnit.MILLISECONDS).allowed())
                            .isFalse();
                }
                assertThat(limiter.storeErrors()).isPositive();
            }
            finally {
                requests.shutdownNow();
                ClientLibrary.destroy(factory);
            }
        }
    }

    /** A store made while Redis is down keeps trying to connect, and decides once Redis is there. */
    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void aFirstConnectThatFailedIsTriedAgainOnceRedisIsThere(ClientLibrary library) throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            redis.stop();
            RedisConnectionFactory factory = library.connect("localhost", redis.port());
            try {
                RedisRateLimiter limiter = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.DENY);
                assertThat(timed(() -> limiter.acquire("early", LIMIT, 1)).allowed()).isFalse();

                redis.startAgain();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> limiter.tryAcquire("late", LIMIT));
                assertThat(limiter.tryAcquire("late", LIMIT)).isTrue();
                assertThat(limiter.tryAcquire("late", LIMIT)).isFalse();
            }
            finally {
                ClientLibrary.destroy(factory);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void outageThenRecoveryWithoutARestart(ClientLibrary library) throws Exception {
        onOwnServer(library, (redis, limiter) -> {
            assertThat(limiter.tryAcquire("before", LIMIT)).isTrue();
            assertThat(limiter.ping()).isTrue();

            redis.stop();
            for (int i = 0; i < 5; i++) {
                assertThat(timed(() -> limiter.acquire("during", LIMIT, 1)).allowed()).isFalse();
            }
            assertThat(limiter.ping()).isFalse();
            assertThat(limiter.storeErrors()).isPositive();

            redis.startAgain();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> limiter.tryAcquire("after", LIMIT));

            assertThat(limiter.tryAcquire("after", LIMIT)).isTrue();
            assertThat(limiter.tryAcquire("after", LIMIT)).isFalse();
            assertThat(limiter.ping()).isTrue();
        });
    }

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void frozenRedisGivesTheOnFailureAnswerWithinTheTimeout(ClientLibrary library) throws Exception {
        onOwnServer(library, (redis, limiter) -> {
            assertThat(limiter.tryAcquire("before", LIMIT)).isTrue();

            // Three seconds: longer than any driver's own default timeout would let a call wait.
            try (Socket frozen = redis.freeze(Duration.ofSeconds(3))) {
                // Calls Redis answered before it read the DEBUG SLEEP are real decisions.
                for (int i = 0; i < 10_000 && limiter.storeErrors() == 0; i++) {
                    timed(() -> limiter.acquire("during", LIMIT, 1));
                }
                assertThat(limiter.storeErrors()).isPositive();
                assertThat(timed(() -> limiter.acquire("during", LIMIT, 1)).allowed()).isFalse();
            }

            // Polled with PING: a decision that timed out may still take its token once Redis
            // wakes up and runs the command it was sent.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(limiter::ping);
            assertThat(limiter.tryAcquire("after", LIMIT)).isTrue();
            assertThat(limiter.tryAcquire("after", LIMIT)).isTrue();
            assertThat(limiter.tryAcquire("after", LIMIT)).isFalse();
        });
    }

    /**
     * Redis answers PING but refuses every decision: out of memory under {@code noeviction}, then a
     * read-only replica (its master never answers). Such errors are counted as command errors,
     * decisions get {@code on-failure}, and health says the store fails although PING works; once
     * Redis takes writes again, decisions and health recover. A flushed script cache costs nothing:
     * the script is sent again.
     */
    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void redisThatRefusesDecisionsIsUnhealthyThoughItAnswersPing(ClientLibrary library) throws Exception {
        onOwnServer(library, (redis, limiter) -> {
            LettuceConnectionFactory admin = RedisTestServer.connectionFactory("localhost", redis.port());
            try (RedisConnection connection = admin.getConnection()) {
                connection.serverCommands().setConfig("maxmemory-policy", "noeviction");
                connection.serverCommands().setConfig("maxmemory", "1");
                assertRefusedThenRecovers(limiter, "oom", "OOM",
                        () -> connection.serverCommands().setConfig("maxmemory", "0"));

                connection.serverCommands().replicaOf("localhost", RedisProcess.freePort());
                assertRefusedThenRecovers(limiter, "replica", "READONLY", () -> connection.serverCommands().replicaOfNoOne());

                connection.scriptingCommands().scriptFlush();
                assertThat(limiter.tryAcquire("flushed", LIMIT)).isTrue();
                assertThat(limiter.storeHealth().status()).isEqualTo(HealthStatus.HEALTHY);
            }
            finally {
                admin.destroy();
            }
        });
    }

    private static void assertRefusedThenRecovers(RedisRateLimiter limiter, String key, String error, Runnable repair) {
        long commandErrors = limiter.storeErrors("command");
        assertThat(limiter.acquire(key, LIMIT, 1).allowed()).isFalse();
        assertThat(limiter.storeErrors("command")).isEqualTo(commandErrors + 1);
        assertThat(limiter.ping()).isTrue();
        HealthResult health = limiter.storeHealth();
        assertThat(health.status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(health.message()).contains("command").contains(error);

        repair.run();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> limiter.ping() && limiter.tryAcquire(key, LIMIT));
        assertThat(limiter.storeHealth().status()).isEqualTo(HealthStatus.HEALTHY);
    }

    /**
     * Runs the test against a redis-server of its own, through a limiter that denies on failure,
     * once the limiter has connected (it connects in the background).
     */
    private static void onOwnServer(ClientLibrary library, ServerTest test) throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            RedisConnectionFactory factory = library.connect("localhost", redis.port());
            try {
                RedisRateLimiter limiter = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.DENY);
                await().atMost(Duration.ofSeconds(10)).until(limiter::ping);
                test.run(redis, limiter);
            }
            finally {
                ClientLibrary.destroy(factory);
            }
        }
    }

    private static RateLimitDecision timed(java.util.function.Supplier<RateLimitDecision> call) {
        long start = System.nanoTime();
        RateLimitDecision decision = call.get();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("milliseconds for one decision")
                .isLessThan(TIMEOUT.toMillis() + MARGIN_MILLIS);
        return decision;
    }

    private interface ServerTest {

        void run(RedisProcess redis, RedisRateLimiter limiter) throws Exception;
    }
}
