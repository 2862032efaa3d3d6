package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiterStats;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.ScanOptions;

/**
 * A {@link RateLimiter} whose buckets live in Redis, shared by every instance of the
 * application. Each decision is one {@code EVALSHA} of a GCRA script: one round trip, atomic,
 * timed by the Redis server's clock; a bucket is one integer that expires when it is full again.
 * <p>
 * Time in Redis is whole microseconds, so the time per token is rounded up to one: never more
 * than the limit, and a rate above one token per microsecond per key is refused.
 * <p>
 * It runs on Lettuce or Jedis, whichever Spring Data Redis connection factory it is given
 * ({@link RedisDriver}). A call waits for Redis at most {@code timeout}. While Redis cannot
 * answer, calls get the {@link OnFailure} answer: allowed (the provider's own limits still apply)
 * or rejected. Bad input is refused before Redis is asked, exactly as the in-memory store
 * refuses it.
 * <p>
 * {@link #stats()} counts this instance's decisions; the number of buckets lives in Redis and is
 * not tracked here (it reads as 0).
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {

    private final RedisConnectionFactory connectionFactory;

    private final RedisDriver driver;

    private final RedisKeys keys;

    private final OnFailure onFailure;

    private final LuaScript acquireScript;

    private final LuaScript remainingScript;

    private final StoreFailures failures;

    private final Map<String, PerLimit> perLimit = new ConcurrentHashMap<>();

    /**
     * A store that skips Redis for 500 ms after a failure.
     *
     * @throws IllegalArgumentException when the timeout is not positive, the prefix is not
     *                                  usable, or the factory is of neither Lettuce nor Jedis
     */
    public RedisRateLimiter(RedisConnectionFactory connectionFactory, String keyPrefix, Duration timeout,
            OnFailure onFailure) {
        this(connectionFactory, keyPrefix, timeout, onFailure, StoreFailures.DEFAULT_PAUSE);
    }

    /**
     * A store that, after a decision Redis could not make, skips Redis for {@code failurePause}
     * and answers {@code onFailure} at once.
     *
     * @throws IllegalArgumentException when the timeout is not positive, the pause negative, the
     *                                  prefix not usable, or the factory of neither Lettuce nor
     *                                  Jedis
     */
    public RedisRateLimiter(RedisConnectionFactory connectionFactory, String keyPrefix, Duration timeout,
            OnFailure onFailure, Duration failurePause) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (failurePause == null || failurePause.isNegative()) {
            throw new IllegalArgumentException("failurePause must be zero or positive, was " + failurePause);
        }
        this.failures = new StoreFailures(failurePause);
        this.connectionFactory = connectionFactory;
        this.driver = RedisDriver.of(connectionFactory, timeout);
        this.keys = new RedisKeys(keyPrefix);
        this.onFailure = onFailure;
        this.acquireScript = LuaScript.load("acquire.lua");
        this.remainingScript = LuaScript.load("remaining.lua");
    }

    @Override
    public boolean tryAcquire(String key, RateLimit limit, int tokens) {
        return acquire(key, limit, tokens).allowed();
    }

    @Override
    public RateLimitDecision acquire(String key, RateLimit limit, int tokens) {
        PerLimit count = perLimit(limit);
        if (key == null || key.isBlank()) {
            count.rejected.increment();
            throw new MissingRateLimitKeyException(limit.name());
        }
        limit.checkTokens(tokens);
        long interval = micros(limit);
        byte[] bucket = keys.bucketBytes(limit.name(), key);
        StoreFailures.Node node = failures.node(driver.masterOf(bucket));
        RateLimitDecision decision = failures.pausing(node) ? whenUnavailable(limit, tokens)
                : ask(bucket, node, limit, tokens, interval, count);
        (decision.allowed() ? count.allowed : count.rejected).increment();
        return decision;
    }

    /** Stops the store's own threads (on Jedis); Spring calls it as the context closes. */
    @Override
    public void close() {
        driver.close();
    }

    /**
     * Decides without blocking the caller: through Lettuce's asynchronous API, or on Jedis (which
     * has none) on the store's own threads. The same timeout and the same {@code on-failure}
     * answer as {@link #acquire}; bad input fails the stage.
     */
    @Override
    public CompletionStage<RateLimitDecision> acquireAsync(String key, RateLimit limit, int tokens) {
        PerLimit count = perLimit(limit);
        long interval;
        try {
            if (key == null || key.isBlank()) {
                count.rejected.increment();
                throw new MissingRateLimitKeyException(limit.name());
            }
            limit.checkTokens(tokens);
            interval = micros(limit);
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        byte[] bucket = keys.bucketBytes(limit.name(), key);
        StoreFailures.Node node = failures.node(driver.masterOf(bucket));
        CompletableFuture<RateLimitDecision> decision = failures.pausing(node)
                ? CompletableFuture.completedFuture(whenUnavailable(limit, tokens))
                : askAsync(bucket, node, limit, tokens, interval, count);
        return decision.thenApply(made -> {
            (made.allowed() ? count.allowed : count.rejected).increment();
            return made;
        });
    }

    @Override
    public void acquireOrThrow(String key, RateLimit limit, int tokens) {
        RateLimitDecision decision = acquire(key, limit, tokens);
        if (!decision.allowed()) {
            throw new RateLimitExceededException(key, limit, decision.retryAfter());
        }
    }

    @Override
    public double remaining(String key, RateLimit limit) {
        if (key == null || key.isBlank()) {
            throw new MissingRateLimitKeyException(limit.name());
        }
        byte[] bucket = keys.bucketBytes(limit.name(), key);
        StoreFailures.Node node = failures.node(driver.masterOf(bucket));
        try {
            List<Object> reply = driver.run(remainingScript, bucket);
            failures.succeeded(node);
            long toFull = (Long) reply.get(0);
            return Math.max(0, limit.capacity() - (double) toFull / micros(limit));
        }
        catch (Exception ex) {
            failed(node, ex);
            throw new IllegalStateException("Redis rate-limit store cannot answer: " + ex.getMessage(), ex);
        }
    }

    @Override
    public void reset(String key, RateLimit limit) {
        delete(keys.bucket(limit.name(), key));
    }

    /** Resets the key under every limit this instance has decided for. */
    @Override
    public void reset(String key) {
        perLimit.keySet().forEach(limit -> delete(keys.bucket(limit, key)));
    }

    @Override
    public void resetAll() {
        // The template closes the cursor's connection once; Jedis breaks a connection closed twice.
        RedisTemplate<byte[], byte[]> redis = new RedisTemplate<>();
        redis.setConnectionFactory(connectionFactory);
        redis.setEnableDefaultSerializer(false);
        redis.afterPropertiesSet();
        try (Cursor<byte[]> cursor = redis.scan(ScanOptions.scanOptions().match(keys.pattern()).count(1000).build())) {
            List<byte[]> batch = new ArrayList<>();
            while (cursor.hasNext()) {
                batch.add(cursor.next());
                if (batch.size() == 1000 || !cursor.hasNext()) {
                    redis.delete(batch);
                    batch.clear();
                }
            }
        }
    }

    @Override
    public RateLimiterStats stats() {
        Map<String, RateLimiterStats.LimitStats> limits = new ConcurrentHashMap<>();
        perLimit.forEach((name, count) -> limits.put(name,
                new RateLimiterStats.LimitStats(0, count.allowed.sum(), count.rejected.sum())));
        return new RateLimiterStats(0, 0, 0, limits);
    }

    /** Calls that Redis could not answer, since startup. */
    public long storeErrors() {
        return failures.count();
    }

    /**
     * Calls that Redis could not answer since startup, of one kind: {@code timeout} (no answer in
     * time), {@code connection} (not reachable) or {@code command} (an error reply, such as out of
     * memory or a read-only replica).
     */
    public long storeErrors(String kind) {
        return failures.count(StoreFailures.Kind.valueOf(kind.toUpperCase(Locale.ROOT)));
    }

    /**
     * Whether Redis answers a {@code PING} within the timeout. A pong ends the pause after a
     * failure, so the next decision asks Redis again, but not the failing state: only a decision
     * that Redis makes does (see {@link #storeHealth()}).
     */
    public boolean ping() {
        try {
            boolean pong = driver.ping();
            if (pong) {
                failures.answeredPing();
            }
            return pong;
        }
        catch (Exception ex) {
            return false;
        }
    }

    /**
     * The store's health: unhealthy while recent decisions failed, whatever the cause, even when
     * Redis answers {@code PING} (a Redis out of memory, or a read-only replica, answers it but
     * refuses every decision), naming each Cluster master whose decisions fail; otherwise whether
     * Redis answers a {@code PING}.
     */
    public HealthResult storeHealth() {
        StoreFailures.RecentFailure failure = failures.recentFailure(driver::serves);
        if (failure != null) {
            return HealthResult.unhealthy("decisions fail (" + failure.description() + "); rate limits follow "
                    + "on-failure" + (failure.onMasters() ? " on the slots of the masters named" : ""));
        }
        return ping() ? HealthResult.healthy("Redis answers")
                : HealthResult.unhealthy("Redis does not answer; rate limits follow on-failure");
    }

    private RateLimitDecision ask(byte[] bucket, StoreFailures.Node node, RateLimit limit, int tokens, long interval,
            PerLimit count) {
        try {
            List<Object> reply = driver.run(acquireScript, bucket, count.arguments(interval, limit.capacity(), tokens));
            failures.succeeded(node);
            return decisionOf(reply, limit, interval);
        }
        catch (InterruptedException ex) {
            // This thread was interrupted, not Redis: the answer of this one call, no pause for all.
            Thread.currentThread().interrupt();
            return whenUnavailable(limit, tokens);
        }
        catch (Exception ex) {
            failed(node, ex);
            return whenUnavailable(limit, tokens);
        }
    }

    private CompletableFuture<RateLimitDecision> askAsync(byte[] bucket, StoreFailures.Node node, RateLimit limit,
            int tokens, long interval, PerLimit count) {
        return driver.runAsync(acquireScript, bucket, count.arguments(interval, limit.capacity(), tokens))
                .handle((reply, error) -> {
                    Throwable failure = AsyncFailures.unwrap(error);
                    if (failure == null) {
                        failures.succeeded(node);
                        return decisionOf(reply, limit, interval);
                    }
                    if (!(failure instanceof RejectedExecutionException)) {
                        // A store whose own threads are all busy (Jedis) is not a failing Redis.
                        failed(node, failure instanceof Exception exception ? exception
                                : new IllegalStateException(failure));
                    }
                    return whenUnavailable(limit, tokens);
                });
    }

    private static RateLimitDecision decisionOf(List<Object> reply, RateLimit limit, long interval) {
        boolean allowed = (Long) reply.get(0) == 1;
        long toFull = (Long) reply.get(1);
        long retryAfter = (Long) reply.get(2);
        double remaining = Math.max(0, limit.capacity() - (double) toFull / interval);
        return new RateLimitDecision(allowed, remaining, Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(retryAfter)),
                Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(toFull)));
    }

    private RateLimitDecision whenUnavailable(RateLimit limit, int tokens) {
        if (onFailure == OnFailure.ALLOW) {
            return new RateLimitDecision(true, limit.capacity() - tokens, Duration.ZERO, Duration.ZERO);
        }
        // Rejected until Redis is asked again; at least a moment, so a client never retries at once.
        Duration wait = failures.pause().isZero() ? Duration.ofMillis(1) : failures.pause();
        return new RateLimitDecision(false, 0, wait, wait);
    }

    private void delete(String key) {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            connection.keyCommands().del(bytes(key));
        }
    }

    private void failed(StoreFailures.Node node, Exception failure) {
        StoreFailures.Kind kind = driver.kindOf(failure);
        // An error reply came over a working connection: only the others may need a new one. And
        // one cluster master failing says nothing of the connection, which routes to each master
        // on its own: dropping it made every master's decisions wait for a connect.
        if (kind != StoreFailures.Kind.COMMAND && !failures.isMaster(node)) {
            driver.failed();
        }
        failures.failed(node, kind, failure);
    }

    private PerLimit perLimit(RateLimit limit) {
        PerLimit count = perLimit.get(limit.name());
        return count != null ? count : perLimit.computeIfAbsent(limit.name(), name -> new PerLimit());
    }

    /**
     * The limit's time per token in whole microseconds, rounded up.
     *
     * @throws IllegalArgumentException when the limit refills faster than one token per microsecond
     */
    static long micros(RateLimit limit) {
        long nanos = limit.nanosPerToken();
        if (nanos < 1000) {
            throw new IllegalArgumentException("limit '" + limit.name() + "' refills faster than one token per "
                    + "microsecond, which the Redis store cannot time; use a longer window or a smaller capacity");
        }
        return (nanos + 999) / 1000;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] number(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** The acquire script's arguments (time per token, capacity, tokens), encoded as Redis reads them. */
    private record AcquireArguments(long interval, long capacity, int tokens, byte[][] bytes) {

        AcquireArguments(long interval, long capacity, int tokens) {
            this(interval, capacity, tokens, new byte[][] { number(interval), number(capacity), number(tokens) });
        }

        boolean are(long interval, long capacity, int tokens) {
            return this.interval == interval && this.capacity == capacity && this.tokens == tokens;
        }
    }

    /** Per limit name: its decisions, and its last acquire arguments. */
    private static final class PerLimit {

        final LongAdder allowed = new LongAdder();

        final LongAdder rejected = new LongAdder();

        /**
         * Kept, since a limit's arguments are the same on almost every call and encoding them costs
         * six allocations a decision; read-only once made, so concurrent calls may share them.
         */
        private volatile AcquireArguments arguments = new AcquireArguments(0, 0, 0);

        byte[][] arguments(long interval, long capacity, int tokens) {
            AcquireArguments last = arguments;
            if (!last.are(interval, capacity, tokens)) {
                last = new AcquireArguments(interval, capacity, tokens);
                arguments = last;
            }
            return last.bytes();
        }
    }
}
