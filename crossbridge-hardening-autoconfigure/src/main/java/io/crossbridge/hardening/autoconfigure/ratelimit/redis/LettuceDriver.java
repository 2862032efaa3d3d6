package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

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
 */
final class LettuceDriver implements RedisDriver {

    private final LettuceConnectionFactory factory;

    private final long timeoutNanos;

    /**
     * The shared native connection, kept: asking the factory per call takes its lock and
     * allocates a wrapper. Asked for again only after a failure, in case the factory replaced it.
     */
    private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;

    LettuceDriver(RedisConnectionFactory factory, Duration timeout) {
        this.factory = (LettuceConnectionFactory) factory;
        this.timeoutNanos = timeout.toNanos();
    }

    static boolean supports(RedisConnectionFactory factory) {
        return factory instanceof LettuceConnectionFactory;
    }

    @Override
    public List<Object> run(LuaScript script, byte[] key, byte[]... args) throws Exception {
        RedisClusterAsyncCommands<byte[], byte[]> redis = commands();
        // After the connection: the first call connects, which connect-timeout bounds.
        long deadline = System.nanoTime() + timeoutNanos;
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
        RedisClusterAsyncCommands<byte[], byte[]> redis = commands();
        return "PONG".equals(await(redis.ping(), System.nanoTime() + timeoutNanos));
    }

    @Override
    public void failed() {
        commands = null;
    }

    private RedisClusterAsyncCommands<byte[], byte[]> commands() {
        RedisClusterAsyncCommands<byte[], byte[]> current = commands;
        if (current == null) {
            try (RedisConnection connection = factory.getConnection()) {
                @SuppressWarnings("unchecked")
                RedisClusterAsyncCommands<byte[], byte[]> shared = (RedisClusterAsyncCommands<byte[], byte[]>) connection
                        .getNativeConnection();
                current = shared;
                commands = shared;
            }
        }
        return current;
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
