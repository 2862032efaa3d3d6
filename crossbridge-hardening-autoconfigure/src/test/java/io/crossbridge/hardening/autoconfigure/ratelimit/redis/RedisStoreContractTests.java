package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The store contract, against a real Redis, on each client library. Each test gets its own key
 * prefix.
 */
class RedisStoreContractTests {

    @Nested
    class OnLettuce extends OnRedis {

        OnLettuce() {
            super(ClientLibrary.LETTUCE);
        }
    }

    @Nested
    class OnJedis extends OnRedis {

        OnJedis() {
            super(ClientLibrary.JEDIS);
        }
    }

    /** The contract again, every decision through the asynchronous path that reactive calls take. */
    @Nested
    class OnLettuceWithoutBlocking extends OnRedis {

        OnLettuceWithoutBlocking() {
            super(ClientLibrary.LETTUCE);
        }

        @Override
        RateLimiter limiter() {
            return new AsyncDecisions(super.limiter());
        }
    }

    @Nested
    class OnJedisWithoutBlocking extends OnRedis {

        OnJedisWithoutBlocking() {
            super(ClientLibrary.JEDIS);
        }

        @Override
        RateLimiter limiter() {
            return new AsyncDecisions(super.limiter());
        }
    }

    abstract static class OnRedis extends RateLimiterContract {

        private final ClientLibrary library;

        private RedisConnectionFactory connectionFactory;

        private RedisRateLimiter limiter;

        OnRedis(ClientLibrary library) {
            this.library = library;
        }

        /** A started factory to the Redis under test. */
        RedisConnectionFactory factory() throws Exception {
            return RedisTestServer.connectionFactory(library);
        }

        @BeforeEach
        void connect() throws Exception {
            connectionFactory = factory();
            limiter = RedisTestServer.connected(new RedisRateLimiter(connectionFactory, "test-" + UUID.randomUUID(),
                    Duration.ofSeconds(2), OnFailure.DENY));
        }

        @AfterEach
        void disconnect() {
            if (limiter != null) {
                limiter.resetAll();
            }
            if (connectionFactory != null) {
                ClientLibrary.destroy(connectionFactory);
            }
        }

        @Override
        RateLimiter limiter() {
            return limiter;
        }
    }
}
