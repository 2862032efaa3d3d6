package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The Redis store's beans: the limiter, a {@code rateLimitStore} health check that says when Redis
 * cannot be reached, and a meter of store errors. Imported only when {@code store} is
 * {@code redis} and Spring Data Redis is on the class path.
 */
@Configuration(proxyBeanMethods = false)
public class RedisStoreConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RateLimiter rateLimiter(RateLimitProperties properties, ObjectProvider<RedisConnectionFactory> connectionFactory) {
        RedisConnectionFactory factory = connectionFactory.getIfAvailable();
        if (factory == null) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.store", "redis",
                    "There is no RedisConnectionFactory: configure spring.data.redis.* (host, port or url) so that "
                            + "Spring Boot creates one, or declare one.");
        }
        RateLimitProperties.Redis redis = properties.getRedis();
        Duration timeout = redis.getTimeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.redis.timeout", timeout,
                    "It must be more than 0 and at most 10s: a request waits on Redis no longer than this.");
        }
        String prefix = redis.getKeyPrefix();
        if (prefix == null || prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.redis.key-prefix", prefix,
                    "It must not be blank or hold '{' or '}': a hash tag would put every bucket in one "
                            + "Redis Cluster slot.");
        }
        try {
            return new RedisRateLimiter(factory, prefix, timeout, redis.getOnFailure());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.store", "redis", ex.getMessage() + ".");
        }
    }

    @Bean
    @ConditionalOnMissingBean(name = "rateLimitStore")
    HealthCheck rateLimitStore(RateLimiter rateLimiter) {
        return () -> {
            if (!(rateLimiter instanceof RedisRateLimiter redis)) {
                return HealthResult.healthy("not the Redis store");
            }
            return redis.ping() ? HealthResult.healthy("Redis answers")
                    : HealthResult.unhealthy("Redis does not answer; rate limits follow on-failure");
        };
    }

    /**
     * {@code crossbridge.ratelimit.store.errors}: decisions Redis could not make in time.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class StoreMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "redisRateLimitStoreMeters")
        MeterBinder redisRateLimitStoreMeters(RateLimiter rateLimiter) {
            return registry -> {
                if (rateLimiter instanceof RedisRateLimiter redis) {
                    FunctionCounter.builder("crossbridge.ratelimit.store.errors", redis, RedisRateLimiter::storeErrors)
                            .description("Rate-limit decisions the Redis store could not make in time")
                            .tag("store", "redis").register(registry);
                }
            };
        }
    }
}
