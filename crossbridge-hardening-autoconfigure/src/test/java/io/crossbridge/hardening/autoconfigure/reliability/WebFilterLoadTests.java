package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.web.ReactiveWebRateLimitAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.web.RefusalAnswersAutoConfiguration;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reliability suite's shapes through the WebFlux {@code WebFilter} of the URL rules, with the
 * limiter's clock frozen or moved by the test: a burst from two threads over 1,000 keys admits
 * exactly the capacity of each, and a flood of 500,000 new keys at the store's key bound leaves
 * 100 live keys their exact limit, as on the servlet path.
 */
@Tag("reliability")
class WebFilterLoadTests {

    private final AtomicLong now = new AtomicLong();

    private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class,
                    ReactiveWebRateLimitAutoConfiguration.class, RefusalAnswersAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.rate-limit.limits.burst.capacity=20",
                    "crossbridge.hardening.rate-limit.limits.burst.window=1h",
                    "crossbridge.hardening.rate-limit.limits.flood.capacity=1",
                    "crossbridge.hardening.rate-limit.limits.flood.window=1s",
                    "crossbridge.hardening.rate-limit.limits.live.capacity=5",
                    "crossbridge.hardening.rate-limit.limits.live.window=1h",
                    "crossbridge.hardening.rate-limit.http[0].path=/burst", "crossbridge.hardening.rate-limit.http[0].limit=burst",
                    "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key",
                    "crossbridge.hardening.rate-limit.http[1].path=/flood", "crossbridge.hardening.rate-limit.http[1].limit=flood",
                    "crossbridge.hardening.rate-limit.http[1].key=header:X-API-Key",
                    "crossbridge.hardening.rate-limit.http[2].path=/live", "crossbridge.hardening.rate-limit.http[2].limit=live",
                    "crossbridge.hardening.rate-limit.http[2].key=header:X-API-Key")
            .withBean(RateLimiter.class, () -> InMemoryRateLimiter.builder().ticker(now::get).maxKeys(100_000)
                    .cleanupInterval(Duration.ofMillis(100)).build());

    @Test
    void aBurstFromTwoThreadsAdmitsExactlyTheCapacityOfEachKey() {
        contextRunner.run(context -> {
            WebFilter filter = context.getBean("rateLimitWebFilter", WebFilter.class);
            AtomicIntegerArray admitted = new AtomicIntegerArray(1_000);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> runs = new ArrayList<>();
            try {
                for (int t = 0; t < 2; t++) {
                    runs.add(threads.submit(() -> {
                        start.await();
                        for (int i = 0; i < 50_000; i++) {
                            int key = ThreadLocalRandom.current().nextInt(1_000);
                            if (passes(filter, "/burst", "key-" + key)) {
                                admitted.incrementAndGet(key);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> run : runs) {
                    run.get(5, TimeUnit.MINUTES);
                }
            }
            finally {
                threads.shutdownNow();
            }
            for (int key = 0; key < 1_000; key++) {
                assertThat(admitted.get(key)).as("key %d", key).isEqualTo(20);
            }
        });
    }

    @Test
    void aKeyFloodLeavesLiveKeysTheirExactLimit() {
        contextRunner.run(context -> {
            WebFilter filter = context.getBean("rateLimitWebFilter", WebFilter.class);
            int[] admitted = new int[100];
            long rejectedFlood = 0;
            for (int i = 0; i < 500_000; i++) {
                now.addAndGet(5_000);
                if (!passes(filter, "/flood", "flood-" + i)) {
                    rejectedFlood++;
                }
                if (i % 100 == 0) {
                    int key = (i / 100) % 100;
                    if (passes(filter, "/live", "live-" + key)) {
                        admitted[key]++;
                    }
                }
            }
            // 50 hits per live key over 2.5 s of an hour-long window: exactly the capacity each.
            assertThat(admitted).containsOnly(5);
            assertThat(context.getBean(RateLimiter.class).stats().activeBuckets()).isLessThanOrEqualTo(100_000);
            assertThat(context.getBean(RateLimiter.class).stats().rejectedAtMaxKeys())
                    .as("new keys rejected at the bound").isPositive();
            assertThat(rejectedFlood).isPositive();
        });
    }

    /** Runs one request through the filter; whether it reached the handler. */
    private static boolean passes(WebFilter filter, String path, String key) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path)
                .remoteAddress(new InetSocketAddress("192.0.2.1", 40000)).header("X-API-Key", key));
        boolean[] reached = new boolean[1];
        Throwable failure = filter.filter(exchange, passed -> {
            reached[0] = true;
            return Mono.empty();
        }).then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block();
        if (failure != null && !(failure instanceof io.crossbridge.hardening.ratelimit.RateLimitExceededException)) {
            throw new AssertionError("not a rejection", failure);
        }
        assertThat(reached[0]).isEqualTo(failure == null);
        return reached[0] && exchange.getResponse().getStatusCode() != HttpStatus.TOO_MANY_REQUESTS;
    }
}
