package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@ExtendWith(OutputCaptureExtension.class)
class RateLimiterAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class));

    @Test
    void readingForwardedHeadersTheServerAppliesAlreadyIsWarnedAbout(CapturedOutput output) {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.client-address.trusted-proxies=1",
                "server.forward-headers-strategy=native")
                .run(context -> assertThat(context).hasSingleBean(ClientAddresses.class));
        assertThat(output).contains("reads forwarded headers, but the server applies them already");
    }

    @Test
    void trustedProxiesWithoutForwardedHeadersOfTheServerAreNotWarnedAbout(CapturedOutput output) {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.client-address.trusted-proxies=1",
                "server.forward-headers-strategy=none")
                .run(context -> assertThat(context).hasSingleBean(ClientAddresses.class));
        assertThat(output).doesNotContain("reads forwarded headers");
    }

    @Test
    void runShouldCreateInMemoryRateLimiter() {
        this.contextRunner.run(context -> assertThat(context).hasSingleBean(RateLimiter.class)
                .getBean(RateLimiter.class).isInstanceOf(InMemoryRateLimiter.class));
    }

    @Test
    void runShouldProvideTheBuiltInLimits() {
        this.contextRunner.run(context -> {
            RateLimitCatalog catalog = context.getBean(RateLimitCatalog.class);
            assertThat(catalog.names()).containsExactly("search", "embed", "transform", "health");
            assertThat(catalog.get("search")).isEqualTo(RateLimit.of("search", 30, Duration.ofSeconds(60)));
            assertThat(catalog.get("embed").capacity()).isEqualTo(60);
            assertThat(catalog.get("transform").capacity()).isEqualTo(10);
            assertThat(catalog.get("health").capacity()).isEqualTo(10);
        });
    }

    @Test
    void runWithOverrideShouldChangeOnlyWhatItSets() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.limits.search.capacity=100",
                "crossbridge.hardening.rate-limit.limits.embed.window=PT2M").run(context -> {
                    RateLimitCatalog catalog = context.getBean(RateLimitCatalog.class);
                    assertThat(catalog.get("search")).isEqualTo(RateLimit.of("search", 100, Duration.ofSeconds(60)));
                    assertThat(catalog.get("embed")).isEqualTo(RateLimit.of("embed", 60, Duration.ofMinutes(2)));
                });
    }

    @Test
    void runWithNewLimitShouldAddItWithAnyDurationFormat() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.limits.burst.capacity=5",
                "crossbridge.hardening.rate-limit.limits.burst.window=500ms",
                "crossbridge.hardening.rate-limit.limits.hourly.capacity=1000").run(context -> {
                    RateLimitCatalog catalog = context.getBean(RateLimitCatalog.class);
                    assertThat(catalog.get("burst")).isEqualTo(RateLimit.of("burst", 5, Duration.ofMillis(500)));
                    assertThat(catalog.get("hourly").window()).isEqualTo(Duration.ofSeconds(60));
                    assertThat(catalog.names()).hasSize(6);
                });
    }

    @Test
    void runWithZeroCapacityShouldFailNamingTheProperty() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.limits.search.capacity=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOf(InvalidPropertyException.class)
                        .hasMessage("Invalid value for 'crossbridge.hardening.rate-limit.limits.search.capacity': 0. "
                                + "Capacity of rate limit 'search' must be at least 1, was 0."));
    }

    @Test
    void runWithNegativeWindowShouldFailNamingTheProperty() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.limits.search.window=-1s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageStartingWith("Invalid value for 'crossbridge.hardening.rate-limit.limits.search.window': PT-1S."));
    }

    @Test
    void runWithNewLimitWithoutCapacityShouldFail() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.limits.custom.window=10s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("Invalid value for 'crossbridge.hardening.rate-limit.limits.custom.capacity': null. "
                                + "A new limit must set its capacity, at least 1."));
    }

    @Test
    void runWithZeroMaxKeysShouldFail() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.max-keys=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("Invalid value for 'crossbridge.hardening.rate-limit.max-keys': 0. It must be at least 1."));
    }

    @Test
    void runWithMemoryStoreShouldCreateInMemoryRateLimiter() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.store=memory")
                .run(context -> assertThat(context).getBean(RateLimiter.class).isInstanceOf(InMemoryRateLimiter.class));
    }

    @Test
    void runWhenDisabledShouldNotCreateLimiter() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(RateLimiter.class)
                        .doesNotHaveBean(RateLimitCatalog.class));
    }

    @Test
    void runWithUserLimiterShouldBackOff() {
        this.contextRunner.withUserConfiguration(UserLimiterConfiguration.class)
                .run(context -> assertThat(context).hasSingleBean(RateLimiter.class)
                        .getBean(RateLimiter.class).isSameAs(UserLimiterConfiguration.LIMITER));
    }

    @Test
    void unknownLimitNameIsAClearError() {
        this.contextRunner.run(context -> assertThatIllegalArgumentException()
                .isThrownBy(() -> context.getBean(RateLimitCatalog.class).get("serch"))
                .withMessage("no rate limit named 'serch'; configured: [search, embed, transform, health]"));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLimiterConfiguration {

        static final RateLimiter LIMITER = InMemoryRateLimiter.builder().maxKeys(10).build();

        @Bean
        RateLimiter customLimiter() {
            return LIMITER;
        }
    }
}
