package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RateLimitMeterBinderTests {

    private final RateLimitCatalog catalog = RateLimitCatalog.of(new RateLimitProperties());

    private final InMemoryRateLimiter limiter = new InMemoryRateLimiter();

    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void requestsAreCountedPerLimitAndOutcomeAndBucketsGauged() {
        new RateLimitMeterBinder(limiter, catalog).bindTo(registry);
        for (int i = 0; i < 12; i++) {
            limiter.tryAcquire("alice", catalog.get("transform"));
        }
        limiter.tryAcquire("bob", catalog.get("search"));
        assertThatExceptionOfType(MissingRateLimitKeyException.class)
                .isThrownBy(() -> limiter.tryAcquire(" ", catalog.get("search")));

        assertThat(requests("transform", "allowed")).isEqualTo(10);
        assertThat(requests("transform", "rejected")).isEqualTo(2);
        assertThat(requests("search", "allowed")).isEqualTo(1);
        assertThat(requests("search", "rejected")).isEqualTo(1);
        assertThat(requests("embed", "allowed")).isZero();
        assertThat(registry.get("crossbridge.ratelimit.buckets").gauge().value()).isEqualTo(2);
        assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTags())
                .noneMatch(tag -> tag.getValue().equals("alice") || tag.getValue().equals("bob")));
    }

    @Test
    void binderIsConfiguredWhenMicrometerIsPresent() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class))
                .run(context -> assertThat(context).hasSingleBean(RateLimitMeterBinder.class));
    }

    private double requests(String limit, String outcome) {
        return registry.get("crossbridge.ratelimit.requests").tag("limit", limit).tag("outcome", outcome)
                .functionCounter().count();
    }
}
