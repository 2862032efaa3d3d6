package io.crossbridge.hardening.benchmarks.http;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.web.ReactiveWebRateLimitAutoConfiguration;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.web.context.reactive.AnnotationConfigReactiveWebApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The WebFlux URL rules' {@code WebFilter} alone, per request: a request a rule keyed by
 * {@code X-API-Key} applies to (one of 10,000 keys, nothing rejected), against one no rule
 * applies to. Both build the same mock exchange, whose cost is in both figures: the difference is
 * what the rule costs a request, headers included, without a server or a network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WebFilterBenchmark {

    private static final WebFilterChain DONE = exchange -> Mono.empty();

    private AnnotationConfigReactiveWebApplicationContext context;

    private WebFilter filter;

    @Setup(Level.Trial)
    public void startContext() {
        context = new AnnotationConfigReactiveWebApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("benchmark", Map.of(
                "crossbridge.hardening.rate-limit.limits.search.capacity", "1000000000",
                "crossbridge.hardening.rate-limit.limits.search.window", "1000000000s",
                "crossbridge.hardening.rate-limit.http[0].path", "/api/search",
                "crossbridge.hardening.rate-limit.http[0].limit", "search",
                "crossbridge.hardening.rate-limit.http[0].key", "header:X-API-Key")));
        context.register(RateLimiterAutoConfiguration.class, ReactiveWebRateLimitAutoConfiguration.class);
        context.refresh();
        filter = context.getBean("rateLimitWebFilter", WebFilter.class);
    }

    @TearDown(Level.Trial)
    public void closeContext() {
        context.close();
    }

    @Benchmark
    public MockServerWebExchange ruled() {
        MockServerWebExchange exchange = exchange("/api/search");
        filter.filter(exchange, DONE).block();
        return exchange;
    }

    @Benchmark
    public MockServerWebExchange noRule() {
        MockServerWebExchange exchange = exchange("/demo/unlimited-search");
        filter.filter(exchange, DONE).block();
        return exchange;
    }

    private static MockServerWebExchange exchange(String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.get(path)
                .remoteAddress(new InetSocketAddress("192.0.2.1", 40000))
                .header("X-API-Key", "load-key-" + ThreadLocalRandom.current().nextInt(10_000)));
    }
}
