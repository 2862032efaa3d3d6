package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Lettuce driver says at startup about a cluster client that would not follow a
 * failover: Boot's default builds one (no topology refresh), with which a failed master's slots
 * never decide again. No Redis is needed: the factories are never started, so the driver's
 * background connect fails, which is all it does here.
 */
@ExtendWith(OutputCaptureExtension.class)
class LettuceDriverTests {

    private static final String WARNING = "does not refresh its topology periodically";

    @Test
    void aClusterClientWithoutTopologyRefreshIsWarnedOfAtStartup(CapturedOutput output) {
        new LettuceDriver(cluster(LettuceClientConfiguration.defaultConfiguration()), Duration.ofMillis(100));

        assertThat(output).contains(WARNING).contains("spring.data.redis.lettuce.cluster.refresh.period");
    }

    @Test
    void aClusterClientThatRefreshesItsTopologyIsNot(CapturedOutput output) {
        ClusterClientOptions refreshing = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(1)).build())
                .build();
        new LettuceDriver(cluster(LettuceClientConfiguration.builder().clientOptions(refreshing).build()),
                Duration.ofMillis(100));

        assertThat(output).doesNotContain(WARNING);
    }

    /** Adaptive refreshes run at most every 30 s, and none for a master that hangs. */
    @Test
    void aClusterClientWithAdaptiveRefreshAloneIsWarnedOfToo(CapturedOutput output) {
        ClusterClientOptions adaptive = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
                .build();
        new LettuceDriver(cluster(LettuceClientConfiguration.builder().clientOptions(adaptive).build()),
                Duration.ofMillis(100));

        assertThat(output).contains(WARNING).contains("refresh.period");
    }

    @Test
    void aSingleRedisIsNot(CapturedOutput output) {
        new LettuceDriver(new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1)),
                Duration.ofMillis(100));

        assertThat(output).doesNotContain(WARNING);
    }

    private static LettuceConnectionFactory cluster(LettuceClientConfiguration client) {
        return new LettuceConnectionFactory(new RedisClusterConfiguration(List.of("127.0.0.1:1")), client);
    }
}
