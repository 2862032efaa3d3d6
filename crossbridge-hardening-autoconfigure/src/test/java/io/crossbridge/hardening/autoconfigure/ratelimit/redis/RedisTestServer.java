package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis that tests run against, found in this order: the server at
 * {@code CROSSBRIDGE_REDIS_URL}; a Testcontainers container where a Docker engine exists; a
 * {@code redis-server} on the {@code PATH}, started on a free port for this test run and stopped
 * when it ends. Without any of them the test is skipped with the reason, or fails where
 * {@link RedisTestMode} says Redis is required; {@link RedisTestSummary} reports the skipped ones.
 */
final class RedisTestServer {

    private static URI uri;

    /** Where the server came from, for the summary; null until a test asked for it. */
    private static volatile String source;

    /** Why there is no server, once the search found none: it is not searched again. */
    private static String unavailable;

    private RedisTestServer() {
    }

    /** Returns the server's address, starting one the first time if needed. */
    static synchronized URI uri() {
        RedisTestMode.skipWhenOff();
        if (uri == null && unavailable == null) {
            find();
        }
        if (uri == null) {
            RedisTestMode.unavailable(unavailable);
        }
        return uri;
    }

    static String source() {
        return source;
    }

    private static void find() {
        String configured = System.getenv("CROSSBRIDGE_REDIS_URL");
        if (configured != null && !configured.isBlank()) {
            uri = URI.create(configured);
            source = "CROSSBRIDGE_REDIS_URL=" + configured;
        }
        else if (dockerAvailable() && startedContainer()) {
            source = "a Testcontainers container at " + uri;
        }
        else if (RedisProcess.executable() != null) {
            try {
                RedisProcess server = RedisProcess.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.close();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }, "redis-server-stop"));
                uri = URI.create("redis://localhost:" + server.port());
                source = "a redis-server of the tests' own on port " + server.port();
            }
            catch (IOException | RuntimeException ex) {
                // Remembered, so that the other Redis tests skip at once instead of waiting again.
                unavailable = "redis-server on the PATH did not start: " + ex;
            }
        }
        else {
            unavailable = "no Redis found: CROSSBRIDGE_REDIS_URL is not set, no Docker engine runs, "
                    + "and there is no redis-server on the PATH";
        }
    }

    /** A started connection factory to the test server; the caller destroys it. */
    static LettuceConnectionFactory connectionFactory() {
        URI server = uri();
        return connectionFactory(server.getHost(), server.getPort() == -1 ? 6379 : server.getPort());
    }

    /**
     * The store, once connected. A store connects in the background and a decision waits for
     * that connect no longer than the store's timeout; a fresh client on a loaded CI machine can
     * take longer than that to start, and a test of decisions would then see on-failure answers.
     */
    static RedisRateLimiter connected(RedisRateLimiter limiter) {
        await().atMost(Duration.ofSeconds(30)).until(limiter::ping);
        return limiter;
    }

    /** A started connection factory of the library to the test server; see {@link ClientLibrary#destroy}. */
    static RedisConnectionFactory connectionFactory(ClientLibrary library) {
        URI server = uri();
        return library.connect(server.getHost(), server.getPort() == -1 ? 6379 : server.getPort());
    }

    static LettuceConnectionFactory connectionFactory(String host, int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** Starts the container, or returns false (a Docker engine that cannot pull or run it) to look further. */
    private static boolean startedContainer() {
        try {
            GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
            redis.start();
            uri = URI.create("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
            return true;
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException | LinkageError ex) {
            return false;
        }
    }
}
