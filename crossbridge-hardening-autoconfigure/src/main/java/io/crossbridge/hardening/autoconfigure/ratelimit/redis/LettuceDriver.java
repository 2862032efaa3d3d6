package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce: every call goes over the factory's one shared connection, which Lettuce multiplexes
 * (concurrent calls are pipelined) and reconnects by itself. A call hands its command to
 * Lettuce's I/O thread and waits on the reply's future until the deadline.
 * <p>
 * The connection is made off the caller's thread ({@link BackgroundConnect}), and kept: asking
 * the factory per call takes its lock and allocates a wrapper. It is asked for again after a
 * failure, in case the factory replaced it.
 */
final class LettuceDriver implements RedisDriver {

    private final LettuceConnectionFactory factory;

    private final long timeoutNanos;

    private final BackgroundConnect<RedisClusterAsyncCommands<byte[], byte[]>> connection;

    LettuceDriver(RedisConnectionFactory factory, Duration timeout) {
        this.factory = (LettuceConnectionFactory) factory;
        this.timeoutNanos = timeout.toNanos();
        this.connection = new BackgroundConnect<>(this::connect);
    }

    static boolean supports(RedisConnectionFactory factory) {
        return factory instanceof LettuceConnectionFactory;
    }

    @Override
    public List<Object> run(LuaScript script, byte[] key, byte[]... args) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        RedisClusterAsyncCommands<byte[], byte[]> redis = connection.get(deadline);
        byte[][] keys = { key };
        try {
            return await(redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args), deadline);
        }
        catch (ExecutionException ex) {
            if (!(ex.getCause() instanceof RedisNoScriptException)) {
                throw ex;
            }
            return await(redis.eval(script.source(), ScriptOutputType.MULTI, keys, args), deadline);
        }
    }

    @Override
    public boolean ping() throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        return "PONG".equals(await(connection.get(deadline).ping(), deadline));
    }

    @Override
    public void failed() {
        connection.failed();
    }

    @Override
    public StoreFailures.Kind kindOf(Exception failure) {
        Throwable cause = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RedisCommandExecutionException) {
            return StoreFailures.Kind.COMMAND;
        }
        if ((cause instanceof TimeoutException && !(cause instanceof BackgroundConnect.NotConnectedException))
                || cause instanceof RedisCommandTimeoutException) {
            return StoreFailures.Kind.TIMEOUT;
        }
        // Not connected, a closed connection, a connect refused: the connection, whatever the type.
        return StoreFailures.Kind.CONNECTION;
    }

    private RedisClusterAsyncCommands<byte[], byte[]> connect() {
        try (RedisConnection redis = factory.getConnection()) {
            @SuppressWarnings("unchecked")
            RedisClusterAsyncCommands<byte[], byte[]> shared = (RedisClusterAsyncCommands<byte[], byte[]>) redis
                    .getNativeConnection();
            return shared;
        }
    }

    private static <T> T await(RedisFuture<T> future, long deadlineNanos) throws Exception {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            // Frees the command's slot; the answer, if it comes, is dropped.
            future.cancel(true);
            throw ex;
        }
    }
}
