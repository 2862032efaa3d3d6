package io.crossbridge.hardening.benchmarks.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis memory per active bucket: 10,000 keys of the built-in search limit (30 per 60 s), one call
 * each, then {@code MEMORY USAGE} of every bucket key, averaged, and the growth of
 * {@code used_memory}; the same for Bucket4j's Lettuce store. crossbridge uses the default key
 * prefix, with keys shaped like real ones: user ids ({@code user-1234}), IPv4 addresses and
 * UUIDs. Run: {@code java -cp benchmarks.jar
 * io.crossbridge.hardening.benchmarks.redis.RedisMemoryPerKey} against an otherwise empty Redis.
 */
public final class RedisMemoryPerKey {

    private static final int KEYS = 10_000;

    private static final RateLimit SEARCH = RateLimit.of("search", 30, Duration.ofSeconds(60));

    private RedisMemoryPerKey() {
    }

    public static void main(String[] args) {
        String host = System.getenv().getOrDefault("REDIS_HOST", "localhost");
        int port = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));
        RedisClient client = RedisClient.create("redis://" + host + ":" + port);
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
        factory.afterPropertiesSet();
        factory.start();
        try (StatefulRedisConnection<String, String> admin = client.connect();
                StatefulRedisConnection<String, byte[]> b4jConnection = client
                        .connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            RedisCommands<String, String> redis = admin.sync();
            String prefix = new RateLimitProperties.Redis().getKeyPrefix();
            RedisRateLimiter crossbridge = new RedisRateLimiter(factory, prefix, Duration.ofSeconds(2), OnFailure.DENY);
            Map<String, IntFunction<String>> shapes = new LinkedHashMap<>();
            shapes.put("user id", i -> "user-" + i);
            shapes.put("IPv4 address", i -> "10.0." + (i / 256) + "." + (i % 256));
            shapes.put("UUID", i -> new UUID(i, i * 31L).toString());
            for (Map.Entry<String, IntFunction<String>> shape : shapes.entrySet()) {
                long before = usedMemory(redis);
                for (int i = 0; i < KEYS; i++) {
                    crossbridge.tryAcquire(shape.getValue().apply(i), SEARCH);
                }
                report("crossbridge, " + shape.getKey(), redis, redis.keys(prefix + ":search:*"), before);
                crossbridge.resetAll();
            }

            ProxyManager<String> bucket4j = Bucket4jLettuce.casBasedBuilder(b4jConnection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(60)))
                    .build();
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(SEARCH.capacity()).refillGreedy(SEARCH.capacity(), SEARCH.window()))
                    .build();
            long before = usedMemory(redis);
            for (int i = 0; i < KEYS; i++) {
                bucket4j.builder().build("bucket4j:search:user-" + i, () -> configuration).tryConsume(1);
            }
            report("bucket4j", redis, redis.keys("bucket4j:search:*"), before);
            redis.keys("bucket4j:search:*").forEach(redis::del);
        }
        finally {
            factory.destroy();
            client.shutdown();
        }
    }

    private static void report(String store, RedisCommands<String, String> redis, List<String> keys, long before) {
        long sum = 0;
        for (String key : keys) {
            sum += redis.memoryUsage(key);
        }
        System.out.printf("%s: %d keys, e.g. %s (%d chars); MEMORY USAGE %.1f bytes per key; "
                + "used_memory grew %.1f bytes per key%n",
                store, keys.size(), keys.get(0), keys.get(0).length(), (double) sum / keys.size(),
                (double) (usedMemory(redis) - before) / keys.size());
    }

    private static long usedMemory(RedisCommands<String, String> redis) {
        for (String line : redis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("INFO memory has no used_memory");
    }
}
