package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The Redis client libraries the store runs on; the Redis tests run on each. */
enum ClientLibrary {

    LETTUCE {
        @Override
        RedisConnectionFactory create(RedisStandaloneConfiguration server) {
            return new LettuceConnectionFactory(server);
        }
    },

    JEDIS {
        @Override
        RedisConnectionFactory create(RedisStandaloneConfiguration server) {
            return new JedisConnectionFactory(server, JedisClientConfiguration.builder().usePooling().build());
        }
    };

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
