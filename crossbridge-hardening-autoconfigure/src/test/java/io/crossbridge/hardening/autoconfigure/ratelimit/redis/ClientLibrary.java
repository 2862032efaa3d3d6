package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis client libraries the store runs on; the Redis tests run on each. Their factories have
 * the short timeouts an application sets with {@code spring.data.redis.timeout} and
 * {@code connect-timeout}, so a connect to a server that never answers ends in seconds, not in
 * Lettuce's default minute.
 */
enum ClientLibrary {

    LETTUCE {
        @Override
        RedisConnectionFactory create(RedisStandaloneConfiguration server) {
            ClientOptions options = ClientOptions.builder()
                    .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build()).build();
            return new LettuceConnectionFactory(server,
                    LettuceClientConfiguration.builder().commandTimeout(TIMEOUT).clientOptions(options).build());
        }
    },

    JEDIS {
        @Override
        RedisConnectionFactory create(RedisStandaloneConfiguration server) {
            return new JedisConnectionFactory(server, JedisClientConfiguration.builder().connectTimeout(TIMEOUT)
                    .readTimeout(TIMEOUT).usePooling().build());
        }
    };

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    abstract RedisConnectionFactory create(RedisStandaloneConfiguration server);

    /** A started factory for the server; the caller closes it with {@link #destroy}. */
    RedisConnectionFactory connect(String host, int port) {
        RedisConnectionFactory factory = create(new RedisStandaloneConfiguration(host, port));
        if (factory instanceof LettuceConnectionFactory lettuce) {
            lettuce.afterPropertiesSet();
            lettuce.start();
        }
        else if (factory instanceof JedisConnectionFactory jedis) {
            jedis.afterPropertiesSet();
            jedis.start();
        }
        return factory;
    }

    static void destroy(RedisConnectionFactory factory) {
        if (factory instanceof LettuceConnectionFactory lettuce) {
            lettuce.destroy();
        }
        else if (factory instanceof JedisConnectionFactory jedis) {
            jedis.destroy();
        }
    }
}
