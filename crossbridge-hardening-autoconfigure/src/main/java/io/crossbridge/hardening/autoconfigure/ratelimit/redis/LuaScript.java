package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Lua script run with {@code EVALSHA}, one round trip, and sent whole with {@code EVAL} once when
 * the server does not know it ({@code NOSCRIPT}: after a restart or a {@code SCRIPT FLUSH}). A
 * call waits at most until its deadline.
 */
final class LuaScript {

    private final byte[] source;

    private final String sha;

    private LuaScript(byte[] source, String sha) {
        this.source = source;
        this.sha = sha;
    }

    /**
     * Reads the script next to this class. Its SHA-1, the name {@code EVALSHA} knows it by, is
     * computed here, so nothing needs Redis before the first call: an application starts while
     * Redis is down.
     */
    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("script " + name + " is missing from the class path");
            }
            byte[] source = in.readAllBytes();
            return new LuaScript(source, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source)));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is required of every JVM", ex);
        }
    }

    /**
     * Runs the script and returns its array reply.
     *
     * @param deadlineNanos the {@link System#nanoTime()} by which the answer must be there
     * @throws TimeoutException when it is not
     * @throws Exception        when Redis or the connection fails
     */
    List<Object> call(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] key, long deadlineNanos, byte[]... args)
            throws Exception {
        byte[][] keys = { key };
        try {
            return await(redis.evalsha(sha, ScriptOutputType.MULTI, keys, args), deadlineNanos);
        }
        catch (ExecutionException ex) {
            if (!(ex.getCause() instanceof RedisNoScriptException)) {
                throw ex;
            }
            return await(redis.eval(source, ScriptOutputType.MULTI, keys, args), deadlineNanos);
        }
    }

    private static List<Object> await(RedisFuture<List<Object>> future, long deadlineNanos) throws Exception {
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
