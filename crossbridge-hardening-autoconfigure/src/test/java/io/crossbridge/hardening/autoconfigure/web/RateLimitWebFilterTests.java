package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisTestSupport;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The URL rules' {@code WebFilter} on the branches a request in memory does not take: a decision
 * Redis makes (continued on Reactor's threads, never Lettuce's), and an application's own
 * {@link ExchangeKeyResolver}. Requests start on one of Reactor's non-blocking threads, with
 * BlockHound installed.
 */
@ExtendWith(BlockHoundInstalled.class)
class RateLimitWebFilterTests {

    private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class,
                    ReactiveWebRateLimitAutoConfiguration.class, RefusalAnswersAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.rate-limit.limits.two.capacity=2",
                    "crossbridge.hardening.rate-limit.limits.two.window=1h",
                    "crossbridge.hardening.rate-limit.http[0].path=/by-header", "crossbridge.hardening.rate-limit.http[0].limit=two",
                    "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key",
                    "crossbridge.hardening.rate-limit.http[1].path=/by-caller", "crossbridge.hardening.rate-limit.http[1].limit=two");

    @Test
    void aDecisionRedisMakesGoesOnOnReactorsThreads() {
        LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
        RateLimiter redis = RedisTestSupport.limiter(factory, "filter-" + UUID.randomUUID(), Duration.ofSeconds(2),
                OnFailure.DENY);
        try {
            contextRunner.withBean(RateLimiter.class, () -> redis).run(context -> {
                WebFilter filter = context.getBean("rateLimitWebFilter", WebFilter.class);
                AtomicReference<String> handlerThread = new AtomicReference<>();
                assertThat(outcome(filter, "/by-header", "alice", handlerThread)).isNull();
                assertThat(handlerThread.get()).startsWith("parallel-");
                assertThat(outcome(filter, "/by-header", "alice", handlerThread)).isNull();
                assertThat(outcome(filter, "/by-header", "alice", handlerThread))
                        .isInstanceOf(RateLimitExceededException.class);
                assertThat(outcome(filter, "/by-header", "bob", handlerThread)).isNull();
            });
        }
        finally {
            redis.resetAll();
            factory.destroy();
        }
    }

    @Test
    void anApplicationsKeyResolverDecidesTheDefaultKey() {
        contextRunner.withBean(RateLimiter.class, () -> InMemoryRateLimiter.builder().ticker(() -> 0L).build())
                .withBean(ExchangeKeyResolver.class, () -> exchange -> Mono
                        .justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-Tenant")).map(tenant -> "tenant:" + tenant))
                .run(context -> {
                    WebFilter filter = context.getBean("rateLimitWebFilter", WebFilter.class);
                    AtomicReference<String> handlerThread = new AtomicReference<>();
                    assertThat(tenantRequest(filter, "acme", handlerThread)).isNull();
                    assertThat(tenantRequest(filter, "acme", handlerThread)).isNull();
                    assertThat(tenantRequest(filter, "acme", handlerThread)).isInstanceOf(RateLimitExceededException.class);
                    assertThat(tenantRequest(filter, "globex", handlerThread)).isNull();
                    assertThat(tenantRequest(filter, null, handlerThread)).as("no tenant: no key")
                            .isInstanceOf(MissingRateLimitKeyException.class);
                });
    }

    private static Throwable tenantRequest(WebFilter filter, String tenant, AtomicReference<String> handlerThread) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/by-caller")
                .remoteAddress(new InetSocketAddress("192.0.2.1", 40000));
        if (tenant != null) {
            request.header("X-Tenant", tenant);
        }
        return run(filter, MockServerWebExchange.from(request), handlerThread);
    }

    private static Throwable outcome(WebFilter filter, String path, String key, AtomicReference<String> handlerThread) {
        return run(filter, MockServerWebExchange.from(MockServerHttpRequest.get(path)
                .remoteAddress(new InetSocketAddress("192.0.2.1", 40000)).header("X-API-Key", key)), handlerThread);
    }

    /** Runs the request through the filter from a non-blocking thread; its rejection, or null when it passed. */
    private static Throwable run(WebFilter filter, MockServerWebExchange exchange, AtomicReference<String> handlerThread) {
        return Mono.defer(() -> filter.filter(exchange, passed -> {
            handlerThread.set(Thread.currentThread().getName());
            return Mono.empty();
        })).subscribeOn(Schedulers.parallel()).then(Mono.<Throwable>empty()).onErrorResume(Mono::just)
                .block(Duration.ofSeconds(10));
    }
}
