package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthListener;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HealthCheckAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HealthCheckAutoConfiguration.class));

    @Test
    void theRedisStoresCheckAloneMakesTheComposite() throws Exception {
        // The store's check comes from an auto-configuration sorted after this one by name.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HealthCheckAutoConfiguration.class,
                        RateLimiterAutoConfiguration.class, DataRedisAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.health.interval=1h", "crossbridge.hardening.rate-limit.store=redis",
                        "spring.data.redis.host=localhost", "spring.data.redis.port=" + freePort())
                .run(context -> assertThat(context.getBean("crossbridgeHealthContributor", CompositeHealthContributor.class)
                        .stream().map(entry -> entry.name())).containsExactly("rateLimitStore"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void theApplicationsOwnStatusLoggerAndMetersReplaceTheStarters() {
        HealthListener logger = (name, previous, current) -> { };
        HealthListener meters = (name, previous, current) -> { };
        this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean("healthStatusLogger", HealthListener.class, () -> logger)
                .withBean("healthCheckMeters", HealthListener.class, () -> meters).run(context -> {
                    assertThat(context.getBean("healthStatusLogger")).isSameAs(logger);
                    assertThat(context.getBean("healthCheckMeters")).isSameAs(meters);
                });
    }

    @Test
    void everyHealthCheckBeanIsRegisteredUnderItsBeanNameInsideACrossbridgeComposite() {
        this.contextRunner.withUserConfiguration(ChecksConfiguration.class).run(context -> {
            assertThat(context.getBean(HealthRegistry.class).names()).containsExactly("openai", "vectors");
            CompositeHealthContributor composite = context.getBean("crossbridgeHealthContributor",
                    CompositeHealthContributor.class);
            assertThat(composite.stream().map(entry -> entry.name())).containsExactly("openai", "vectors");
            HealthIndicator indicator = (HealthIndicator) composite.getContributor("openai");
            // UNKNOWN until monitoring's first round, started with the context, has answered.
            Health openai = await().atMost(Duration.ofSeconds(10)).until(indicator::health,
                    health -> !health.getStatus().equals(Status.UNKNOWN));
            assertThat(openai.getStatus()).isEqualTo(Status.UP);
            assertThat(openai.getDetails()).containsEntry("message", "models listed").containsEntry("model", "gpt")
                    .containsEntry("consecutiveFailures", 0).containsKeys("duration", "checkedAt");
        });
    }

    @Test
    void oneCheckIsStillInsideTheComposite() {
        this.contextRunner.withBean("openai", HealthCheck.class, () -> HealthResult::healthy).run(context -> assertThat(
                context.getBean("crossbridgeHealthContributor")).isInstanceOf(CompositeHealthContributor.class));
    }

    @Test
    void withoutChecksThereIsNoComposite() {
        this.contextRunner.run(context -> {
            assertThat(context).hasSingleBean(HealthRegistry.class);
            assertThat(context).doesNotHaveBean("crossbridgeHealthContributor");
        });
    }

    @Test
    void indicatorCanBeSwitchedOffWithActuatorsOwnProperty() {
        this.contextRunner.withUserConfiguration(ChecksConfiguration.class)
                .withPropertyValues("management.health.crossbridge.enabled=false").run(context -> {
                    assertThat(context).doesNotHaveBean("crossbridgeHealthContributor");
                    assertThat(context.getBean(HealthRegistry.class).names()).containsExactly("openai", "vectors");
                });
    }

    @Test
    void healthChecksCanBeSwitchedOff() {
        this.contextRunner.withUserConfiguration(ChecksConfiguration.class)
                .withPropertyValues("crossbridge.hardening.health.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(HealthRegistry.class)
                        .doesNotHaveBean("crossbridgeHealthContributor"));
    }

    @Test
    void failuresBelowTheThresholdAreDegradedThenDown() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.health.failure-threshold=2")
                .withBean("broken", HealthCheck.class, () -> () -> HealthResult.unhealthy("connection refused"))
                .run(context -> {
                    HealthRegistry registry = context.getBean(HealthRegistry.class);
                    HealthIndicator indicator = (HealthIndicator) context
                            .getBean("crossbridgeHealthContributor", CompositeHealthContributor.class).getContributor("broken");
                    registry.runAll();
                    registry.runAll();
                    Health down = indicator.health();
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails()).containsEntry("message", "connection refused")
                            .hasEntrySatisfying("consecutiveFailures", failures -> assertThat((int) failures).isGreaterThanOrEqualTo(2));
                });
    }

    @Test
    void degradedIsItsOwnStatus() {
        assertThat(HealthCheckIndicator.toHealth(HealthResult.degraded("slow")).getStatus().getCode())
                .isEqualTo("DEGRADED");
    }

    @Test
    void everyRunIsTimedByCheckAndStatus() {
        this.contextRunner.withUserConfiguration(ChecksConfiguration.class)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
                    context.getBean(HealthRegistry.class).runAll();
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(meters.get("crossbridge.health.check")
                            .tag("check", "openai").tag("status", "healthy").timer().count()).isGreaterThanOrEqualTo(1));
                });
    }

    @Test
    void applicationsOwnRegistryIsUsedAndGetsTheBeans() {
        HealthRegistry own = HealthRegistry.builder().failureThreshold(9).build();
        this.contextRunner.withUserConfiguration(ChecksConfiguration.class).withBean(HealthRegistry.class, () -> own)
                .run(context -> {
                    assertThat(context.getBean(HealthRegistry.class)).isSameAs(own);
                    assertThat(own.names()).containsExactly("openai", "vectors");
                });
    }

    @Test
    void badSettingsStopStartupNamingTheProperty() {
        assertStartupFails("crossbridge.hardening.health.timeout=0s",
                "Invalid value for 'crossbridge.hardening.health.timeout': PT0S. It must be more than 0 and at most 1h.");
        assertStartupFails("crossbridge.hardening.health.failure-threshold=0",
                "Invalid value for 'crossbridge.hardening.health.failure-threshold': 0. It must be at least 1.");
        assertStartupFails("crossbridge.hardening.health.threads=65",
                "Invalid value for 'crossbridge.hardening.health.threads': 65. It must be from 1 to 64.");
        assertStartupFails("crossbridge.hardening.health.interval=-1s",
                "Invalid value for 'crossbridge.hardening.health.interval': PT-1S. It must be more than 0, such as 30s.");
    }

    @Test
    void closingTheContextWithAHungCheckTakesAtMostTheTimeoutAndLeavesNoThread() {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        long[] closedInMillis = new long[1];
        // Other tests' applications may still run their own monitoring threads.
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        this.contextRunner.withPropertyValues("crossbridge.hardening.health.timeout=500ms")
                .withBean("hung", HealthCheck.class, () -> () -> {
                    started.countDown();
                    never.await();
                    return HealthResult.healthy();
                }).run(context -> {
                    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                    long start = System.nanoTime();
                    context.close();
                    closedInMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                });
        assertThat(closedInMillis[0]).isLessThan(500 + 2_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread))
                .noneMatch(thread -> thread.getName().startsWith("crossbridge-health")));
    }

    private void assertStartupFails(String property, String message) {
        this.contextRunner.withUserConfiguration(ChecksConfiguration.class).withPropertyValues(property)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(message));
    }

    @Configuration(proxyBeanMethods = false)
    static class ChecksConfiguration {

        @Bean
        HealthCheck vectors() {
            return HealthResult::healthy;
        }

        @Bean
        HealthCheck openai() {
            return () -> HealthResult.healthy("models listed").withDetail("model", "gpt");
        }
    }

}
