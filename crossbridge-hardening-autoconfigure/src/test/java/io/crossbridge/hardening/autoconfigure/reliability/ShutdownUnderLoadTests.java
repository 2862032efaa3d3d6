package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.health.HealthCheckAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthResult;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application context closes while calls are in flight (synchronous ones retrying, async ones
 * waiting on the retry scheduler) and a health check hangs: it closes within the health timeout,
 * and no thread of ours is left.
 */
@Tag("reliability")
class ShutdownUnderLoadTests {

    @Test
    void closesWithinTheHealthTimeoutAndLeavesNoThreadOfOurs() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        CountDownLatch hung = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        long[] closeMillis = new long[1];
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class, CircuitBreakerAutoConfiguration.class,
                        RetryAutoConfiguration.class, HealthCheckAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.health.timeout=500ms",
                        "crossbridge.hardening.retry.policies.slow.max-attempts=100",
                        "crossbridge.hardening.retry.policies.slow.base-delay=10ms",
                        "crossbridge.hardening.retry.policies.slow.max-delay=10ms",
                        "crossbridge.hardening.rate-limit.limits.roomy.capacity=1000000000",
                        "crossbridge.hardening.rate-limit.limits.roomy.window=1000000s")
                .withUserConfiguration(LoadConfiguration.class)
                .withBean("hung", HealthCheck.class, () -> () -> {
                    hung.await();
                    return HealthResult.healthy();
                })
                .run(context -> {
                    Flaky flaky = context.getBean(Flaky.class);
                    for (int t = 0; t < 2; t++) {
                        callers.submit(() -> {
                            while (!stop.get()) {
                                try {
                                    flaky.call("user");
                                    flaky.callAsync();
                                }
                                catch (Exception ex) {
                                    // IOException after the retries, or a refusal while closing: expected.
                                }
                                calls.incrementAndGet();
                            }
                        });
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 20);
                    long start = System.nanoTime();
                    context.close();
                    closeMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                });
        stop.set(true);
        callers.shutdown();
        assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(closeMillis[0]).as("milliseconds to close").isLessThan(500 + 1_000);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(thread -> !before.contains(thread) && thread.isAlive())
                .filteredOn(thread -> thread.getName().startsWith("crossbridge-")).isEmpty());
        System.out.printf("shutdown under load: %d calls made before closing, closed in %d ms%n", calls.get(), closeMillis[0]);
    }

    @Configuration(proxyBeanMethods = false)
    static class LoadConfiguration {

        @Bean
        Flaky flaky() {
            return new Flaky();
        }
    }

    static class Flaky {

        private final AtomicLong attempts = new AtomicLong();

        @RateLimited(limit = "roomy", key = "#user")
        @CircuitBreaker
        @RetryWithBackoff(policy = "slow")
        public String call(String user) throws IOException {
            if (attempts.incrementAndGet() % 3 != 0) {
                throw new IOException("flaky");
            }
            return "ok";
        }

        @RetryWithBackoff(policy = "slow")
        public CompletableFuture<String> callAsync() {
            return attempts.incrementAndGet() % 3 != 0 ? CompletableFuture.failedFuture(new IOException("flaky"))
                    : CompletableFuture.completedFuture("ok");
        }
    }
}
