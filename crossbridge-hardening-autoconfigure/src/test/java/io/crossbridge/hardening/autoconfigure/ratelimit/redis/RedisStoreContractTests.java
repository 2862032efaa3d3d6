package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The store contract, against a real Redis. Each test gets its own key prefix.
 */
class RedisStoreContractTests extends RateLimiterContract {

    private LettuceConnectionFactory connectionFactory;

    private RedisRateLimiter limiter;

    @BeforeEach
    void connect() {
        connectionFactory = RedisTestServer.connectionFactory();
        limiter = new RedisRateLimiter(connectionFactory, "test-" + UUID.randomUUID(), Duration.ofSeconds(2),
                OnFailure.DENY);
    }

    @AfterEach
    void disconnect() {
        if (limiter != null) {
            limiter.resetAll();
        }
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
    }

    @Override
    RateLimiter limiter() {
        return limiter;
    }
}
