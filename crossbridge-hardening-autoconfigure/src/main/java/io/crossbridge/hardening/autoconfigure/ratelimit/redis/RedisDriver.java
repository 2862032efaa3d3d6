package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The part of the store that talks to Redis, through whichever Spring Data Redis driver the
 * application has. Every call waits at most the store's timeout, and throws when Redis does not
 * answer in it.
 */
interface RedisDriver {

    /** Runs the script on one key and returns its array reply. */
    List<Object> run(LuaScript script, byte[] key, byte[]... args) throws Exception;

    /**
     * Runs the script on one key without blocking the caller: the stage completes with the array
     * reply, or fails, within the store's timeout.
     */
    CompletableFuture<List<Object>> runAsync(LuaScript script, byte[] key, byte[]... args);

    /** Whether Redis answers a {@code PING}. */
    boolean ping() throws Exception;

    /**
     * The address ({@code host:port}) of the Redis Cluster master that holds the key, as the
     * driver last saw the cluster; null for a single Redis, or while the cluster is not known yet.
     */
    default String masterOf(byte[] key) {
        return null;
    }

    /** Whether the cluster master at the address still holds slots (a replica took over, when not). */
    default boolean serves(String address) {
        return true;
    }

    /** Stops what the driver runs of its own (threads); the factory is the application's. */
    default void close() {
    }

    /** Drops whatever connection the driver keeps, after a call failed. */
    void failed();

    /** Why a call failed with {@code failure}, in this driver's exceptions. */
    StoreFailures.Kind kindOf(Exception failure);

    /**
     * The driver for the factory's client library.
     *
     * @throws IllegalArgumentException for a factory of neither Lettuce nor Jedis, or a Jedis one
     *                                  for Redis Cluster
     */
    static RedisDriver of(RedisConnectionFactory factory, Duration timeout) {
        ClassLoader classLoader = RedisDriver.class.getClassLoader();
        // Each check touches a driver's classes only when that driver is on the class path.
        if (ClassUtils.isPresent("io.lettuce.core.RedisClient", classLoader) && LettuceDriver.supports(factory)) {
            return new LettuceDriver(factory, timeout);
        }
        if (ClassUtils.isPresent("redis.clients.jedis.Jedis", classLoader) && JedisDriver.supports(factory)) {
            return new JedisDriver(factory, timeout);
        }
        throw new IllegalArgumentException("The Redis store runs on a Lettuce connection factory (Spring Boot's "
                + "default) or a Jedis one, not " + factory.getClass().getName());
    }
}
