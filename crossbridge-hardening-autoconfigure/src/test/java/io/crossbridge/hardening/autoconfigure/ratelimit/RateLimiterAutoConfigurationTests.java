package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class));

    @Test
    void runShouldCreateInMemoryRateLimiter() {
        this.contextRunner.run(context -> assertThat(context).hasSingleBean(RateLimiter.class)
                .getBean(RateLimiter.class).isInstanceOf(InMemoryRateLimiter.class));
    }

    @Test
    void runWhenDisabledShouldNotCreateLimiter() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(RateLimiter.class));
    }

    @Test
    void runWithUserLimiterShouldBackOff() {
        this.contextRunner.withUserConfiguration(UserLimiterConfiguration.class)
                .run(context -> assertThat(context).hasSingleBean(RateLimiter.class)
                        .getBean(RateLimiter.class).isSameAs(UserLimiterConfiguration.LIMITER));
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
