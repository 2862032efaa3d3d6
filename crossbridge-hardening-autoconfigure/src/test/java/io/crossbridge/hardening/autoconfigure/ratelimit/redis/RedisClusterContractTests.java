package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store contract, decision by decision as on a single node, against a Redis Cluster of three
 * masters and three replicas on loopback, over Lettuce: blocking and through the asynchronous
 * path that reactive calls take. Each test gets its own key prefix. The cluster starts with the
 * first test that needs it, so that a skip for want of redis-server is counted per test.
 */
class RedisClusterContractTests {

    private static RedisCluster cluster;

    private static synchronized RedisCluster cluster() throws Exception {
        if (cluster == null) {
            cluster = RedisCluster.start(3, 1);
        }
        return cluster;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Nested
    class OnLettuce extends OnCluster {
    }

    @Nested
    class OnLettuceWithoutBlocking extends OnCluster {

        @Override
        RateLimiter limiter() {
            return new AsyncDecisions(super.limiter());
        }
    }

    /** Buckets land on every shard, and resetting all of them reaches every shard. */
    @Test
    void bucketsSpreadOverEveryShardAndResetAllEmptiesEachOne() throws Exception {
        String prefix = "test-" + UUID.randomUUID();
        LettuceConnectionFactory connectionFactory = cluster().connectionFactory();
        try {
            RedisRateLimiter limiter = RedisTestServer.connected(new RedisRateLimiter(connectionFactory, prefix,
                    Duration.ofSeconds(2), OnFailure.DENY));
            for (int i = 0; i < 300; i++) {
                assertThat(limiter.tryAcquire("user-" + i, RateLimiterContract.FIVE_AN_HOUR)).isTrue();
            }
            List<Integer> masters = cluster.masters();
            assertThat(masters).hasSize(3);
            assertThat(masters).allSatisfy(master -> assertThat(bucketsOn(master, prefix)).isPositive());
            assertThat(masters.stream().mapToLong(master -> bucketsOn(master, prefix)).sum()).isEqualTo(300);

            limiter.resetAll();

            assertThat(masters).allSatisfy(master -> assertThat(bucketsOn(master, prefix)).isZero());
        }
        finally {
            connectionFactory.destroy();
        }
    }

    /**
     * The factory closes its shared connection (as it does when reset, or stopped and started):
     * the store asks it for a connection again, rather than blame a master for every decision.
     */
    @Test
    void aConnectionTheFactoryClosesIsAskedForAgain() throws Exception {
        LettuceConnectionFactory connectionFactory = cluster().connectionFactory();
        try {
            RedisRateLimiter limiter = RedisTestServer.connected(new RedisRateLimiter(connectionFactory,
                    "test-" + UUID.randomUUID(), Duration.ofSeconds(2), OnFailure.DENY));
            assertThat(limiter.tryAcquire("before", RateLimiterContract.FIVE_AN_HOUR)).isTrue();

            connectionFactory.resetConnection();

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> limiter.tryAcquire("after", RateLimiterContract.FIVE_AN_HOUR));
            assertThat(limiter.storeHealth().status()).isEqualTo(HealthStatus.HEALTHY);
        }
        finally {
            connectionFactory.destroy();
        }
    }

    private static long bucketsOn(int master, String prefix) {
        try {
            return cluster.keysOn(master, prefix + ":*");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The single node's contract run, on a factory for the cluster. */
    abstract static class OnCluster extends RedisStoreContractTests.OnRedis {

        OnCluster() {
            super(ClientLibrary.LETTUCE);
        }

        @Override
        RedisConnectionFactory factory() throws Exception {
            return cluster().connectionFactory();
        }
    }
}
