package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The Redis store's beans: the limiter, a {@code rateLimitStore} health check that says when Redis
 * cannot be reached, and a meter of store errors. Imported only when {@code store} is
 * {@code redis} and Spring Data Redis is on the class path.
 */
@Configuration(proxyBeanMethods = false)
public class RedisStoreConfiguration {

    private static final String BOOT_DATA_REDIS = "org.springframework.boot.data.redis.";

    private static final List<String> ADDRESS_PROPERTIES = List.of("url", "host", "port", "cluster.nodes",
            "sentinel.nodes", "sentinel.master", "masterreplica.nodes");

    @Bean
    @ConditionalOnMissingBean
    RateLimiter rateLimiter(RateLimitProperties properties, ObjectProvider<RedisConnectionFactory> connectionFactory,
            ConfigurableListableBeanFactory beanFactory, Environment environment) {
        RedisConnectionFactory factory = connectionFactory.getIfAvailable();
        if (factory == null || bootsDefaultAddress(beanFactory, environment)) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.store", "redis",
                    "There is no Redis configured: set spring.data.redis.url (or host and port, cluster.nodes, "
                            + "sentinel.*) so that Spring Boot connects to it, or declare a RedisConnectionFactory.");
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
        Duration pause = redis.getFailurePause();
        if (pause == null || pause.isNegative() || pause.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.redis.failure-pause", pause,
                    "It must be from 0 to 1m: decisions skip Redis for this long after a failure.");
        }
        try {
            return new RedisRateLimiter(factory, prefix, timeout, redis.getOnFailure(), pause);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.store", "redis", ex.getMessage() + ".");
        }
    }

    /**
     * Whether the connection factory is the one Spring Boot makes from {@code spring.data.redis.*}
     * with none of its addresses set, which connects to localhost:6379. A store that reaches no
     * Redis answers {@code on-failure} (allow, by default), so a forgotten setting would quietly
     * lift every limit; connection details from elsewhere (Docker Compose, Testcontainers) count
     * as set.
     */
    private static boolean bootsDefaultAddress(ConfigurableListableBeanFactory beanFactory, Environment environment) {
        // Bound, not looked up: a list such as cluster.nodes comes from YAML as nodes[0], nodes[1].
        Binder binder = Binder.get(environment);
        for (String property : ADDRESS_PROPERTIES) {
            if (binder.bind("spring.data.redis." + property, Bindable.of(Object.class)).isBound()
                    || binder.bind("spring.data.redis." + property, Bindable.listOf(String.class)).isBound()) {
                return false;
            }
        }
        for (String name : beanFactory.getBeanNamesForType(RedisConnectionFactory.class, false, false)) {
            String madeBy = beanFactory.getMergedBeanDefinition(name).getFactoryBeanName();
            if (madeBy == null || !madeBy.startsWith(BOOT_DATA_REDIS)) {
                return false;
            }
        }
        ClassLoader classLoader = beanFactory.getBeanClassLoader();
        String details = BOOT_DATA_REDIS + "autoconfigure.DataRedisConnectionDetails";
        if (ClassUtils.isPresent(details, classLoader)) {
            for (String name : beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(details, classLoader), false,
                    false)) {
                Class<?> type = beanFactory.getType(name, false);
                if (type == null || !type.getName().equals(BOOT_DATA_REDIS + "autoconfigure.PropertiesDataRedisConnectionDetails")) {
                    return false;
                }
            }
        }
        return true;
    }

    @Bean
    @ConditionalOnMissingBean(name = "rateLimitStore")
    HealthCheck rateLimitStore(RateLimiter rateLimiter) {
        // On the check pool, not on the asking thread: a PING over Jedis first waits for a pooled
        // connection, as long as spring.data.redis.jedis.pool.max-wait says, which may be forever.
        return () -> {
            if (!(rateLimiter instanceof RedisRateLimiter redis)) {
                return HealthResult.healthy("not the Redis store");
            }
            return redis.storeHealth();
        };
    }

    /**
     * {@code crossbridge.ratelimit.store.errors} {store, kind}: decisions Redis could not make.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class StoreMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "redisRateLimitStoreMeters")
        MeterBinder redisRateLimitStoreMeters(RateLimiter rateLimiter) {
            return registry -> {
                if (rateLimiter instanceof RedisRateLimiter redis) {
                    for (StoreFailures.Kind kind : StoreFailures.Kind.values()) {
                        FunctionCounter.builder("crossbridge.ratelimit.store.errors", redis, store -> store.storeErrors(kind.tag()))
                                .description("Rate-limit decisions the Redis store could not make, by why: no answer in "
                                        + "time, no connection, or an error reply")
                                .tag("store", "redis").tag("kind", kind.tag()).register(registry);
                    }
                }
            };
        }
    }
}
