package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisTestSupport;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis stops in the middle of load from two threads and comes back: every call answers within
 * the timeout plus a margin, as {@code on-failure} says; the store's health check goes down; the
 * log does not repeat a line above INFO more than once a second; and decisions are exact again
 * once the server is back, without a restart.
 */
@Tag("reliability")
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageUnderLoadTests {

    private static final Duration TIMEOUT = Duration.ofMillis(100);

    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    @Test
    void stoppedMidLoadThenBack(CapturedOutput output) throws Exception {
        try (RedisTestSupport.Server redis = RedisTestSupport.startServer()) {
            LettuceConnectionFactory factory = RedisTestSupport.connectionFactory("localhost", redis.port());
            HealthRegistry health = HealthRegistry.builder().failureThreshold(1).timeout(Duration.ofSeconds(1)).build();
            try {
                RateLimiter limiter = RedisTestSupport.limiter(factory, "outage", TIMEOUT, OnFailure.DENY);
                RateLimit limit = RateLimit.of("load", 1_000_000, Duration.ofHours(1));
                health.register("rateLimitStore", () -> ((io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter) limiter)
                        .ping() ? HealthResult.healthy() : HealthResult.unhealthy("Redis does not answer"));
                AtomicBoolean down = new AtomicBoolean();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong slowest = new AtomicLong();
                AtomicLong allowedWhileDown = new AtomicLong();
                AtomicLong calls = new AtomicLong();
                ExecutorService threads = Executors.newFixedThreadPool(2);
                List<Future<?>> load = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    load.add(threads.submit(() -> {
                        long i = 0;
                        while (!stop.get()) {
                            boolean wasDown = down.get();
                            long start = System.nanoTime();
                            boolean allowed = limiter.tryAcquire("user-" + thread + "-" + (i++ % 100), limit);
                            slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                            calls.incrementAndGet();
                            if (wasDown && down.get() && allowed) {
                                allowedWhileDown.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > 2_000);
                assertThat(health.run("rateLimitStore").status()).isEqualTo(HealthStatus.HEALTHY);

                redis.stop();
                // Counted from when the server is gone; calls made while it shut down could still pass.
                slowest.set(0);
                down.set(true);
                long during = calls.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > during + 100);
                assertThat(health.run("rateLimitStore").status()).isEqualTo(HealthStatus.UNHEALTHY);
                long slowestDuringOutage = slowest.get();

                redis.start();
                down.set(false);
                await().atMost(Duration.ofSeconds(60)).until(() -> limiter.tryAcquire("probe", limit));
                stop.set(true);
                for (Future<?> run : load) {
                    run.get(30, TimeUnit.SECONDS);
                }
                threads.shutdownNow();

                RateLimit exact = RateLimit.of("exact", 3, Duration.ofHours(1));
                assertThat(limiter.tryAcquire("after", exact)).isTrue();
                assertThat(limiter.acquire("after", exact, 2).allowed()).isTrue();
                assertThat(limiter.tryAcquire("after", exact)).isFalse();
                assertThat(health.run("rateLimitStore").status()).isEqualTo(HealthStatus.HEALTHY);
                assertThat(allowedWhileDown).as("on-failure deny: nothing allowed while down").hasValue(0);
                assertThat(slowestDuringOutage).as("slowest call while Redis was down, ns")
                        .isLessThan(TIMEOUT.toNanos() + MARGIN_NANOS);
                assertThat(repeatsPerSecondAboveInfo(output.getAll())).as("log lines above INFO repeated within a second")
                        .isEmpty();
                System.out.printf("redis outage: %d calls, slowest during the outage %.1f ms%n", calls.get(),
                        slowestDuringOutage / 1e6);
            }
            finally {
                health.close();
                factory.destroy();
            }
        }
    }

    /** Lines at WARN or ERROR whose text, less time stamps, appears more than once in one second. */
    static List<String> repeatsPerSecondAboveInfo(String log) {
        Pattern line = Pattern.compile("^(\\S+T\\d\\d:\\d\\d:\\d\\d|\\d\\d:\\d\\d:\\d\\d)\\S*\\s+(?:\\[[^]]*]\\s+)?(WARN|ERROR)\\s+(.*)$",
                Pattern.MULTILINE);
        Map<String, Integer> seen = new HashMap<>();
        List<String> repeated = new ArrayList<>();
        Matcher matcher = line.matcher(log);
        while (matcher.find()) {
            String key = matcher.group(1) + " " + matcher.group(3).replaceAll("\\d+", "#");
            if (seen.merge(key, 1, Integer::sum) == 2) {
                repeated.add(key);
            }
        }
        return repeated;
    }
}
