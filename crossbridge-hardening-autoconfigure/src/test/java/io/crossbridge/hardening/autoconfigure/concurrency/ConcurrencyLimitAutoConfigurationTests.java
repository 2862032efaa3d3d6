package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.web.ReactiveWebRateLimitAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.web.RefusalAnswersAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.web.WebRateLimitAutoConfiguration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Startup of concurrency limits: bad values stop it naming the property, an annotation naming
 * no limit or keying an adaptive one stops it naming the method, and the switch turns it all off.
 */
class ConcurrencyLimitAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ConcurrencyLimitAutoConfiguration.class,
                    ConcurrencyEndpointAutoConfiguration.class));

    @Test
    void badValuesStopStartupNamingTheProperty() {
        assertFails("crossbridge.hardening.concurrency.limits.openai.max-concurrent", "It must be at least 1.",
                "openai.max-concurrent=0");
        assertFails("crossbridge.hardening.concurrency.limits.openai.max-wait", "It must be 0 (refuse at once) or more.",
                "openai.max-wait=-1s");
        assertFails("crossbridge.hardening.concurrency.limits.openai.max-keys", "It must be at least 1.",
                "openai.max-keys=0");
        assertFails("crossbridge.hardening.concurrency.limits.openai.min", "It must be at least 1.", "openai.adaptive=true",
                "openai.min=0");
        assertFails("crossbridge.hardening.concurrency.limits.openai.max", "It must be at least min (10).",
                "openai.adaptive=true", "openai.min=10", "openai.max=5");
        assertFails("crossbridge.hardening.concurrency.limits.openai.max-concurrent", "An adaptive limit starts there",
                "openai.adaptive=true", "openai.max=20", "openai.max-concurrent=25");
        assertFails("crossbridge.hardening.concurrency.limits.openai.slow-call-duration", "It must be positive.",
                "openai.adaptive=true", "openai.algorithm=aimd", "openai.slow-call-duration=0s");
    }

    @Test
    void anAdaptiveLimitStartsAtMaxConcurrent() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.openai.adaptive=true",
                "crossbridge.hardening.concurrency.limits.openai.max-concurrent=8",
                "management.endpoints.web.exposure.include=concurrency").run(context -> {
                    NamedConcurrencyLimit limit = context.getBean(ConcurrencyLimitCatalog.class).find("openai").orElseThrow();
                    assertThat(limit.limiter().adaptive()).isTrue();
                    assertThat(limit.limiter().limit()).isEqualTo(8);
                    assertThat(context.getBean(ConcurrencyEndpoint.class).limit("openai").algorithm()).isEqualTo("gradient");
                });
    }

    @Test
    void anAnnotationNamingNoLimitStopsStartupNamingTheMethod() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.openai.max-concurrent=2")
                .withBean(Unknown.class).run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("Unknown.call()")
                        .hasMessageContaining("names concurrency limit 'opneai', which is not configured")
                        .hasMessageContaining("[openai]"));
    }

    @Test
    void aKeyOnAnAdaptiveLimitStopsStartupNamingTheMethod() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.openai.adaptive=true")
                .withBean(KeyedAdaptive.class).run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("KeyedAdaptive.call()")
                        .hasMessageContaining("limits each key, but concurrency limit 'openai' is adaptive"));
    }

    @Test
    void disabledMeansNoLimitsAndAnnotatedMethodsRunFreely() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.enabled=false").withBean(Unknown.class)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(ConcurrencyLimitCatalog.class)
                            .doesNotHaveBean(ConcurrencyEndpoint.class);
                    assertThat(context.getBean(Unknown.class).call()).isEqualTo("ran");
                });
    }

    @Test
    void fullLimitsAreAnsweredOverHttpWithRateLimitingTurnedOff() {
        AutoConfigurations configurations = AutoConfigurations.of(RateLimiterAutoConfiguration.class,
                WebRateLimitAutoConfiguration.class, ReactiveWebRateLimitAutoConfiguration.class,
                RefusalAnswersAutoConfiguration.class, ConcurrencyLimitAutoConfiguration.class);
        new WebApplicationContextRunner().withConfiguration(configurations)
                .withPropertyValues("crossbridge.hardening.rate-limit.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().hasBean("rateLimitExceptionResolver")
                        .doesNotHaveBean("rateLimitWebExceptionHandler"));
        new ReactiveWebApplicationContextRunner().withConfiguration(configurations)
                .withPropertyValues("crossbridge.hardening.rate-limit.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().hasBean("rateLimitWebExceptionHandler")
                        .doesNotHaveBean("rateLimitExceptionResolver"));
    }

    private void assertFails(String property, String reason, String... settings) {
        String[] properties = new String[settings.length];
        for (int i = 0; i < settings.length; i++) {
            properties[i] = "crossbridge.hardening.concurrency.limits." + settings[i];
        }
        contextRunner.withPropertyValues(properties).run(context -> assertThat(context).getFailure().rootCause()
                .isInstanceOf(InvalidPropertyException.class).hasMessageStartingWith("Invalid value for '" + property + "'")
                .hasMessageContaining(reason));
    }

    static class Unknown {

        @ConcurrencyLimited(name = "opneai")
        public String call() {
            return "ran";
        }
    }

    static class KeyedAdaptive {

        @ConcurrencyLimited(name = "openai", key = "#user")
        public String call(String user) {
            return "ran";
        }
    }
}
