package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RedisStoreAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(DataRedisAutoConfiguration.class, RateLimiterAutoConfiguration.class,
                    HealthCheckAutoConfiguration.class));

    @Test
    void memoryIsTheDefaultEvenWithRedisAround() {
        this.contextRunner.run(context -> assertThat(context.getBean(RateLimiter.class))
                .isInstanceOf(InMemoryRateLimiter.class));
    }

    @Test
    void storeRedisSharesBucketsInTheConfiguredRedisAndChecksItsHealth() {
        URI redis = RedisTestServer.uri();
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "crossbridge.hardening.rate-limit.redis.key-prefix=test-autoconfig",
                "spring.data.redis.host=" + redis.getHost(), "spring.data.redis.port=" + redis.getPort())
                .run(context -> {
                    RateLimiter limiter = context.getBean(RateLimiter.class);
                    assertThat(limiter).isInstanceOf(RedisRateLimiter.class);
                    // The store connects in the background as it starts.
                    await().atMost(Duration.ofSeconds(10)).until(((RedisRateLimiter) limiter)::ping);
                    assertThat(context).hasBean("rateLimitStore");
                    assertThat(context.getBean(HealthRegistry.class).run("rateLimitStore").status())
                            .isEqualTo(HealthStatus.HEALTHY);
                    limiter.resetAll();
                });
    }

    @Test
    void storeRedisRunsOnJedisWhenTheApplicationChoseJedisWithoutLettuceOnTheClassPath() {
        URI redis = RedisTestServer.uri();
        assertDecidesOnJedis(this.contextRunner.withClassLoader(new FilteredClassLoader("io.lettuce")).withPropertyValues(
                "spring.data.redis.host=" + redis.getHost(), "spring.data.redis.port=" + redis.getPort()));
    }

    @Test
    void storeRedisRunsOnJedisWhenTheApplicationChoseItByClientType() {
        URI redis = RedisTestServer.uri();
        assertDecidesOnJedis(this.contextRunner.withPropertyValues("spring.data.redis.client-type=jedis",
                "spring.data.redis.host=" + redis.getHost(), "spring.data.redis.port=" + redis.getPort()));
    }

    private static void assertDecidesOnJedis(ApplicationContextRunner contextRunner) {
        contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "crossbridge.hardening.rate-limit.redis.key-prefix=test-autoconfig-jedis")
                .run(context -> {
                    assertThat(context.getBean(RedisConnectionFactory.class)).isInstanceOf(JedisConnectionFactory.class);
                    RateLimiter limiter = context.getBean(RateLimiter.class);
                    await().atMost(Duration.ofSeconds(10)).until(((RedisRateLimiter) limiter)::ping);
                    RateLimit once = RateLimit.of("once", 1, Duration.ofHours(1));
                    assertThat(limiter.tryAcquire("alice", once)).isTrue();
                    assertThat(limiter.tryAcquire("alice", once)).isFalse();
                    assertThat(context.getBean(HealthRegistry.class).run("rateLimitStore").status())
                            .isEqualTo(HealthStatus.HEALTHY);
                    limiter.resetAll();
                });
    }

    @Test
    void unreachableRedisStartsAndReportsTheStoreUnhealthy() throws Exception {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "crossbridge.hardening.health.failure-threshold=1", "spring.data.redis.host=localhost",
                "spring.data.redis.port=" + RedisProcess.freePort()).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean("rateLimitStore", HealthCheck.class).check().status())
                            .isEqualTo(HealthStatus.UNHEALTHY);
                });
    }

    @Test
    void storeRedisWithoutSpringDataRedisStopsStartupSayingWhatToAdd() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
                .withPropertyValues("crossbridge.hardening.rate-limit.store=redis")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining(
                        "Invalid value for 'crossbridge.hardening.rate-limit.store': redis. Spring Data Redis is not on "
                                + "the class path: add org.springframework.boot:spring-boot-starter-data-redis"));
    }

    @Test
    void storeRedisWithoutAConnectionFactoryStopsStartupSayingWhatToConfigure() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.rate-limit.store=redis")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("There is no Redis configured: set spring.data.redis.url"));
    }

    @Test
    void storeRedisWithNoRedisAddressConfiguredStopsStartupRatherThanTryLocalhost() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("There is no Redis configured: set spring.data.redis.url"));
    }

    @Test
    void clusterNodesListedInYamlCountAsConfigured() throws Exception {
        // YAML binds a list as cluster.nodes[0], cluster.nodes[1]: there is no cluster.nodes key.
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "spring.data.redis.cluster.nodes[0]=localhost:" + RedisProcess.freePort())
                .run(context -> assertThat(context.getBean(RateLimiter.class)).isInstanceOf(RedisRateLimiter.class));
    }

    @Test
    void storeRedisWithTheApplicationsOwnConnectionFactoryNeedsNoRedisProperties() {
        URI redis = RedisTestServer.uri();
        this.contextRunner.withBean(RedisConnectionFactory.class,
                () -> RedisTestServer.connectionFactory(redis.getHost(), redis.getPort()))
                .withPropertyValues("crossbridge.hardening.rate-limit.store=redis")
                .run(context -> assertThat(context.getBean(RateLimiter.class)).isInstanceOf(RedisRateLimiter.class));
    }

    @Test
    void failurePauseIsAPropertyThatDenyAnswersWith() throws Exception {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "crossbridge.hardening.rate-limit.redis.on-failure=deny",
                "crossbridge.hardening.rate-limit.redis.failure-pause=2s", "spring.data.redis.host=localhost",
                "spring.data.redis.port=" + RedisProcess.freePort()).run(context -> {
                    RateLimiter limiter = context.getBean(RateLimiter.class);
                    RateLimit limit = RateLimit.of("once", 1, Duration.ofHours(1));
                    limiter.acquire("alice", limit, 1);
                    assertThat(limiter.acquire("alice", limit, 1).retryAfter()).isEqualTo(Duration.ofSeconds(2));
                });
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "crossbridge.hardening.rate-limit.redis.failure-pause=2m", "spring.data.redis.host=localhost")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageStartingWith(
                        "Invalid value for 'crossbridge.hardening.rate-limit.redis.failure-pause': PT2M."));
    }

    @Test
    void badRedisSettingsStopStartupNamingTheProperty() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "spring.data.redis.host=localhost", "crossbridge.hardening.rate-limit.redis.timeout=0ms")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageStartingWith(
                        "Invalid value for 'crossbridge.hardening.rate-limit.redis.timeout': PT0S."));
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=redis",
                "spring.data.redis.host=localhost", "crossbridge.hardening.rate-limit.redis.key-prefix=rl{x}")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageStartingWith(
                        "Invalid value for 'crossbridge.hardening.rate-limit.redis.key-prefix': rl{x}."));
    }
}
