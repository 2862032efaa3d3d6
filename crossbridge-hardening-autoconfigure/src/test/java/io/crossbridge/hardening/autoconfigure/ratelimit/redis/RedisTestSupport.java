package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis test helpers, for tests in other packages: the shared test server, and servers a
 * test starts and stops itself.
 */
public final class RedisTestSupport {

    private RedisTestSupport() {
    }

    /** A started connection factory to the shared test server (or the test is skipped). */
    public static LettuceConnectionFactory connectionFactory() {
        return RedisTestServer.connectionFactory();
    }

    public static LettuceConnectionFactory connectionFactory(String host, int port) {
        return RedisTestServer.connectionFactory(host, port);
    }

    /** A Redis store over the factory, once connected to its server, which must be up. */
    public static RateLimiter limiter(LettuceConnectionFactory factory, String prefix, Duration timeout,
            OnFailure onFailure) {
        return RedisTestServer.connected(new RedisRateLimiter(factory, prefix, timeout, onFailure));
    }

    /** A redis-server process of the test's own (or the test is skipped). */
    public static Server startServer() throws Exception {
        RedisProcess process = RedisProcess.start();
        return new Server() {

            @Override
            public int port() {
                return process.port();
            }

            @Override
            public void stop() throws Exception {
                process.stop();
            }

            @Override
            public void start() throws Exception {
                process.startAgain();
            }

            @Override
            public void close() throws Exception {
                process.close();
            }
        };
    }

    /** A server the test controls. */
    public interface Server extends AutoCloseable {

        int port();

        void stop() throws Exception;

        void start() throws Exception;
    }
}
