package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.net.Socket;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @RateLimited} reactive methods on the Redis store, on each client library: every
 * subscription starts on one of Reactor's non-blocking threads with BlockHound installed, so a
 * decision that blocked its thread (waiting for a reply, or for a connect) would fail the test.
 * While Redis cannot answer, the error signal or the value follows {@code on-failure}, within the
 * timeout.
 */
@ExtendWith(BlockHoundInstalled.class)
class ReactiveRedisStoreTests {

    private static final Duration TIMEOUT = Duration.ofMillis(100);

    /** Scheduling on a shared two-core machine, not Redis: a real wait would be seconds. */
    private static final Duration MARGIN = Duration.ofMillis(400);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.rate-limit.limits.shared.capacity=3",
                    "crossbridge.hardening.rate-limit.limits.shared.window=1h")
            .withBean(Limited.class);

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void subscriptionsTakeTheirTokensFromRedisWithoutBlocking(ClientLibrary library) {
        RedisConnectionFactory factory = RedisTestServer.connectionFactory(library);
        RedisRateLimiter limiter = new RedisRateLimiter(factory, "test-" + UUID.randomUUID(), Duration.ofSeconds(2),
                OnFailure.DENY);
        try {
            await().atMost(Duration.ofSeconds(10)).until(limiter::ping);
            contextRunner.withBean(RateLimiter.class, () -> limiter).run(context -> {
                Limited limited = context.getBean(Limited.class);
                for (int i = 0; i < 3; i++) {
                    StepVerifier.create(onParallel(limited)).expectNext("allowed").verifyComplete();
                }
                StepVerifier.create(onParallel(limited)).expectError(RateLimitExceededException.class)
                        .verify(Duration.ofSeconds(10));
                assertThat(limited.threads()).as("the method runs on Reactor's threads, never the store's")
                        .isNotEmpty().allMatch(name -> name.startsWith("parallel-"));
                assertThat(limiter.stats().limits().get("shared").allowed()).isEqualTo(3);
                assertThat(limiter.stats().limits().get("shared").rejected()).isEqualTo(1);
                assertThat(limiter.storeErrors()).isZero();
            });
        }
        finally {
            limiter.resetAll();
            ClientLibrary.destroy(factory);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void nothingListeningAnswersOnFailureWithinTheTimeout(ClientLibrary library) throws Exception {
        RedisConnectionFactory factory = library.connect("localhost", RedisProcess.freePort());
        try {
            RedisRateLimiter allowing = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.ALLOW);
            RedisRateLimiter denying = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.DENY);
            contextRunner.withBean(RateLimiter.class, () -> allowing).run(context -> {
                StepVerifier.create(onParallel(context.getBean(Limited.class))).expectNext("allowed")
                        .verifyComplete();
            });
            contextRunner.withBean(RateLimiter.class, () -> denying).run(context -> {
                StepVerifier.create(onParallel(context.getBean(Limited.class)))
                        .expectError(RateLimitExceededException.class).verify(TIMEOUT.plus(MARGIN));
            });
            assertThat(allowing.storeErrors() + denying.storeErrors()).isPositive();
        }
        finally {
            ClientLibrary.destroy(factory);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientLibrary.class)
    void aFrozenRedisAnswersOnFailureWithinTheTimeout(ClientLibrary library) throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            RedisConnectionFactory factory = library.connect("localhost", redis.port());
            try {
                RedisRateLimiter limiter = new RedisRateLimiter(factory, "test", TIMEOUT, OnFailure.DENY);
                await().atMost(Duration.ofSeconds(10)).until(limiter::ping);
                contextRunner.withBean(RateLimiter.class, () -> limiter).run(context -> {
                    Limited limited = context.getBean(Limited.class);
                    try (Socket frozen = redis.freeze(Duration.ofSeconds(3))) {
                        // Decisions Redis made before it read the DEBUG SLEEP are real ones.
                        for (int i = 0; i < 1_000 && limiter.storeErrors() == 0; i++) {
                            onParallel(limited).onErrorResume(failure -> Mono.just("refused"))
                                    .block(TIMEOUT.plus(MARGIN));
                        }
                        assertThat(limiter.storeErrors()).isPositive();
                        StepVerifier.create(onParallel(limited)).expectError(RateLimitExceededException.class)
                                .verify(TIMEOUT.plus(MARGIN));
                    }
                });
            }
            finally {
                ClientLibrary.destroy(factory);
            }
        }
    }

    private static Mono<String> onParallel(Limited limited) {
        return Mono.defer(limited::call).subscribeOn(Schedulers.parallel());
    }

    static class Limited {

        private final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** The threads the method ran on (a method: the proxy has no fields of its own). */
        public java.util.Set<String> threads() {
            return threads;
        }

        @RateLimited(limit = "shared", key = "'one key'")
        public Mono<String> call() {
            threads.add(Thread.currentThread().getName());
            return Mono.just("allowed");
        }
    }
}
