package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

/**
 * Jedis: a call borrows a connection from the factory's pool and does its own blocking I/O on
 * the calling thread, with no hand-off to an I/O thread and back, which is why it makes more
 * decisions per second per thread than Lettuce (BENCHMARKS.md). The socket's read timeout is set
 * to the store's timeout for the call and put back afterwards, since the pool's connections serve
 * the application's other Redis calls too. A connection whose read timed out is broken, and
 * Jedis gives it back to the pool as such, which discards it.
 * <p>
 * The pool makes a new connection on the thread that borrows, with the factory's connect and read
 * timeouts rather than the store's. So a call borrows only once a ping from a thread of its own
 * ({@link BackgroundConnect}) has found Redis answering, at startup and again after every
 * failure; until then it waits for that ping no longer than its deadline. A pool that grows (more
 * threads deciding at once than idle connections) still connects on the borrowing thread, to a
 * Redis that answered a moment ago.
 */
final class JedisDriver implements RedisDriver {

    private static final Log logger = LogFactory.getLog(JedisDriver.class);

    private final RedisConnectionFactory factory;

    private final int timeoutMillis;

    private final long timeoutNanos;

    private final BackgroundConnect<Boolean> answering;

    /** Where asynchronous calls block: a thread per pooled connection, and a queue as long. */
    private final ThreadPoolExecutor offCallerThreads;

    JedisDriver(RedisConnectionFactory factory, Duration timeout) {
        JedisConnectionFactory jedis = (JedisConnectionFactory) factory;
        if (jedis.isRedisClusterAware()) {
            throw new IllegalArgumentException("The Redis store needs Lettuce (Spring Boot's default) for Redis "
                    + "Cluster: Jedis cannot bound a single cluster call by the store's timeout");
        }
        if (!jedis.getUsePool()) {
            logger.warn("The Jedis connection factory has no pool, so every rate-limit decision opens a new "
                    + "connection to Redis; leave spring.data.redis.jedis.pool.enabled on");
        }
        else if (waitsLongerForAConnection(jedis.getPoolConfig(), timeout)) {
            logger.warn("A rate-limit decision on Jedis first waits for a free pooled connection, for up to "
                    + "spring.data.redis.jedis.pool.max-wait (" + jedis.getPoolConfig().getMaxWaitDuration()
                    + ", negative is forever), which is longer than the store's timeout (" + timeout + "); set "
                    + "max-wait to at most the timeout, and max-active to the threads that decide at once");
        }
        this.factory = factory;
        this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
        this.timeoutNanos = timeout.toNanos();
        this.answering = new BackgroundConnect<>(this::pingWithTheFactorysTimeouts);
        // As many as the pool has connections; a pool without a bound (-1) or without a pool gets 8.
        int connections = jedis.getUsePool() ? jedis.getPoolConfig().getMaxTotal() : 0;
        int threads = connections > 0 ? connections : 8;
        this.offCallerThreads = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads), runnable -> {
                    Thread thread = new Thread(runnable, "crossbridge-redis-jedis");
                    thread.setDaemon(true);
                    return thread;
                });
        this.offCallerThreads.allowCoreThreadTimeOut(true);
    }

    private static boolean waitsLongerForAConnection(GenericObjectPoolConfig<?> pool, Duration timeout) {
        Duration wait = pool.getMaxWaitDuration();
        return pool.getBlockWhenExhausted() && (wait.isNegative() || wait.compareTo(timeout) > 0);
    }

    static boolean supports(RedisConnectionFactory factory) {
        return factory instanceof JedisConnectionFactory;
    }

    @Override
    public List<Object> run(LuaScript script, byte[] key, byte[]... args) throws Exception {
        return run(script, key, args, System.nanoTime() + timeoutNanos);
    }

    private List<Object> run(LuaScript script, byte[] key, byte[][] args, long deadline) throws Exception {
        byte[][] params = new byte[args.length + 1][];
        params[0] = key;
        System.arraycopy(args, 0, params, 1, args.length);
        answering.get(deadline);
        try (RedisConnection connection = factory.getConnection()) {
            Jedis jedis = (Jedis) connection.getNativeConnection();
            return withTimeout(jedis, deadline, () -> {
                try {
                    return reply(jedis.evalsha(script.shaBytes(), 1, params));
                }
                catch (JedisNoScriptException ex) {
                    return reply(jedis.eval(script.source(), 1, params));
                }
            });
        }
    }

    /**
     * Jedis has no asynchronous API: the call runs, blocking, on one of the store's own threads
     * (never the caller's), and a call that finds them all busy fails at once rather than queue
     * past its deadline.
     */
    @Override
    public CompletableFuture<List<Object>> runAsync(LuaScript script, byte[] key, byte[]... args) {
        CompletableFuture<List<Object>> reply = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            offCallerThreads.execute(() -> {
                try {
                    if (deadline - System.nanoTime() <= 0) {
                        // Queued past its deadline: the caller must hear now, and no token be taken late.
                        throw new TimeoutException("waited for a thread of the store past the deadline");
                    }
                    reply.complete(run(script, key, args, deadline));
                }
                catch (Throwable ex) {
                    reply.completeExceptionally(ex);
                }
            });
        }
        catch (RejectedExecutionException ex) {
            reply.completeExceptionally(ex);
        }
        return reply;
    }

    @Override
    public boolean ping() throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        answering.get(deadline);
        try (RedisConnection connection = factory.getConnection()) {
            Jedis jedis = (Jedis) connection.getNativeConnection();
            return "PONG".equals(withTimeout(jedis, deadline, jedis::ping));
        }
    }

    @Override
    public void close() {
        offCallerThreads.shutdownNow();
    }

    @Override
    public void failed() {
        // The pool replaces broken connections itself; this makes the next call wait for Redis to answer.
        answering.failed();
    }

    @Override
    public StoreFailures.Kind kindOf(Exception failure) {
        Throwable cause = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RedisConnectionFailureException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof JedisDataException) {
            return StoreFailures.Kind.COMMAND;
        }
        if ((cause instanceof TimeoutException && !(cause instanceof BackgroundConnect.NotConnectedException))
                || (cause instanceof JedisConnectionException && cause.getCause() instanceof SocketTimeoutException)) {
            return StoreFailures.Kind.TIMEOUT;
        }
        return StoreFailures.Kind.CONNECTION;
    }

    private Boolean pingWithTheFactorysTimeouts() {
        try (RedisConnection connection = factory.getConnection()) {
            String pong = connection.ping();
            if (!"PONG".equals(pong)) {
                throw new IllegalStateException("Redis answered PING with " + pong);
            }
            return Boolean.TRUE;
        }
    }

    /** Runs the call with the socket's read timeout set to what is left until the deadline. */
    private <T> T withTimeout(Jedis jedis, long deadlineNanos, Call<T> call) {
        Connection socket = jedis.getConnection();
        if (!socket.isConnected()) {
            // Jedis connects lazily, and a closed socket would refuse the timeout below.
            socket.connect();
        }
        int usual = socket.getSoTimeout();
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        socket.setSoTimeout((int) Math.max(1, Math.min(left, timeoutMillis)));
        try {
            return call.run();
        }
        finally {
            if (!socket.isBroken()) {
                socket.setSoTimeout(usual);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> reply(Object reply) {
        return (List<Object>) reply;
    }

    private interface Call<T> {

        T run();
    }
}
