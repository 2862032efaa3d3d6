package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.net.URI;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis that tests run against: the server at {@code CROSSBRIDGE_REDIS_URL} (CI starts a local
 * {@code redis-server} and sets it), else a Testcontainers container where a Docker engine
 * exists. Without either, the test is reported as skipped with the reason, never silently passed.
 */
final class RedisTestServer {

    private static URI uri;

    private RedisTestServer() {
    }

    /** Returns the server's address, starting a container the first time if needed. */
    static synchronized URI uri() {
        if (uri == null) {
            String configured = System.getenv("CROSSBRIDGE_REDIS_URL");
            if (configured != null && !configured.isBlank()) {
                uri = URI.create(configured);
            }
            else {
                Assumptions.assumeTrue(dockerAvailable(), "no Redis to test against: set CROSSBRIDGE_REDIS_URL "
                        + "(.ci/run starts a local redis-server and sets it) or run a Docker engine for Testcontainers");
                GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                redis.start();
                uri = URI.create("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
            }
        }
        return uri;
    }

    /** A started connection factory to the test server; the caller destroys it. */
    static LettuceConnectionFactory connectionFactory() {
        URI server = uri();
        return connectionFactory(server.getHost(), server.getPort() == -1 ? 6379 : server.getPort());
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

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException | LinkageError ex) {
            return false;
        }
    }
}
