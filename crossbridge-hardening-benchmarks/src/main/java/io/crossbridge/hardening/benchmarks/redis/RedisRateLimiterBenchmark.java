package io.crossbridge.hardening.benchmarks.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Rate-limit decisions against a real Redis ({@code REDIS_HOST}/{@code REDIS_PORT}, default
 * localhost:6379), per call: crossbridge's store (one {@code EVALSHA}) on Lettuce and on Jedis
 * (a pool of 8 connections, Spring Boot's default) beside Bucket4j's Lettuce store, and the bare
 * {@code EVALSHA} of the same script on Lettuce's own API (what the driver allows, with nothing of
 * crossbridge around it) (compare-and-swap: a read, then a conditional write, retried under contention). The limit
 * is high enough that nothing is rejected, so both measure the same decision. Sample mode gives
 * the time per call and its percentiles; decisions per second are threads / mean time. Run with
 * {@code -t 2} and {@code -t 8}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class RedisRateLimiterBenchmark {

    /** A billion tokens per 1,000 s: one per microsecond, far more than a single server serves. */
    private static final RateLimit LIMIT = RateLimit.of("bench", 1_000_000_000L, Duration.ofSeconds(1_000));

    @Param({ "1", "10000" })
    public int keys;

    private String[] names;

    private LettuceConnectionFactory connectionFactory;

    private RedisRateLimiter crossbridge;

    private JedisConnectionFactory jedisConnectionFactory;

    private RedisRateLimiter crossbridgeJedis;

    private RedisClient client;

    private StatefulRedisConnection<String, byte[]> bucket4jConnection;

    private ProxyManager<String> bucket4j;

    private StatefulRedisConnection<byte[], byte[]> bareConnection;

    private String acquireSha;

    private final byte[][] acquireArgs = { bytes("1"), bytes("1000000000"), bytes("1") };

    private final Supplier<BucketConfiguration> configuration = () -> BucketConfiguration.builder()
            .addLimit(limit -> limit.capacity(LIMIT.capacity()).refillGreedy(LIMIT.capacity(), LIMIT.window()))
            .build();

    @Setup(Level.Trial)
    public void connect() {
        String host = System.getenv().getOrDefault("REDIS_HOST", "localhost");
        int port = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));
        connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        crossbridge = new RedisRateLimiter(connectionFactory, "bench", Duration.ofSeconds(2), OnFailure.DENY);
        jedisConnectionFactory = new JedisConnectionFactory(new RedisStandaloneConfiguration(host, port),
                JedisClientConfiguration.builder().usePooling().build());
        jedisConnectionFactory.afterPropertiesSet();
        jedisConnectionFactory.start();
        crossbridgeJedis = new RedisRateLimiter(jedisConnectionFactory, "bench", Duration.ofSeconds(2), OnFailure.DENY);
        client = RedisClient.create("redis://" + host + ":" + port);
        bucket4jConnection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        bucket4j = Bucket4jLettuce.casBasedBuilder(bucket4jConnection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
        bareConnection = client.connect(ByteArrayCodec.INSTANCE);
        acquireSha = bareConnection.sync().scriptLoad(acquireScript());
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "user-" + i;
        }
    }

    @TearDown(Level.Trial)
    public void disconnect() {
        crossbridge.resetAll();
        bucket4jConnection.close();
        bareConnection.close();
        client.shutdown();
        connectionFactory.destroy();
        jedisConnectionFactory.destroy();
    }

    @Benchmark
    public boolean crossbridge() {
        return crossbridge.tryAcquire(key(), LIMIT);
    }

    @Benchmark
    public boolean crossbridgeJedis() {
        return crossbridgeJedis.tryAcquire(key(), LIMIT);
    }

    /** crossbridge's key layout and arguments: prefix and limit "bench", one token of LIMIT. */
    @Benchmark
    public Object lettuceAlone() throws Exception {
        byte[][] key = { bytes("bench:bench:" + key()) };
        return bareConnection.async().evalsha(acquireSha, ScriptOutputType.MULTI, key, acquireArgs)
                .get(2, TimeUnit.SECONDS);
    }

    @Benchmark
    public boolean bucket4j() {
        return bucket4j.builder().build("b4j:" + key(), configuration).tryConsume(1);
    }

    private static byte[] acquireScript() {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream("acquire.lua")) {
            return in.readAllBytes();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private String key() {
        return keys == 1 ? names[0] : names[ThreadLocalRandom.current().nextInt(keys)];
    }

}
