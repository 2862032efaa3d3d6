package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

class WebRateLimitAutoConfigurationTests {

    private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class, WebRateLimitAutoConfiguration.class,
                    RefusalAnswersAutoConfiguration.class));

    @Test
    void servletApplicationGetsTheExceptionResolver() {
        this.contextRunner.run(context -> assertThat(context).hasSingleBean(RateLimitExceptionResolver.class));
    }

    @Test
    void theApplicationsOwnUrlRulesReplaceTheStarters() {
        WebMvcConfigurer own = new WebMvcConfigurer() {
        };
        this.contextRunner.withBean("rateLimitUrlRules", WebMvcConfigurer.class, () -> own)
                .run(context -> assertThat(context.getBean("rateLimitUrlRules")).isSameAs(own));
    }

    @Test
    void reactiveApplicationStartsWithoutTheServletParts() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class, WebRateLimitAutoConfiguration.class,
                    RefusalAnswersAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.rate-limit.http[0].path=/api/**",
                        "crossbridge.hardening.rate-limit.http[0].limit=search")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RateLimitExceptionResolver.class));
    }

    @Test
    void badRulesStopStartupNamingTheSetting() {
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].limit': serch. No limit has that name",
                "http[0].path=/api/**", "http[0].limit=serch");
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].path': null.", "http[0].limit=search");
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].path': /api/{broken. It does not parse",
                "http[0].path=/api/{broken", "http[0].limit=search");
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].methods': [FETCH]. 'FETCH' is not an HTTP method",
                "http[0].path=/api/**", "http[0].methods=FETCH", "http[0].limit=search");
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].key': cookie:session. It must be principal, ip, "
                + "header:NAME or a SpEL expression", "http[0].path=/api/**", "http[0].limit=search", "http[0].key=cookie:session");
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].tokens': 31. It must be at most the capacity "
                + "of limit 'search' (30).", "http[0].path=/api/**", "http[0].limit=search", "http[0].tokens=31");
        assertFails("Invalid value for 'crossbridge.hardening.rate-limit.http[0].limit': #request.(. The expression does not parse",
                "http[0].path=/api/**", "http[0].limit=#request.(");
    }

    private void assertFails(String message, String... settings) {
        String[] properties = new String[settings.length];
        for (int i = 0; i < settings.length; i++) {
            properties[i] = "crossbridge.hardening.rate-limit." + settings[i];
        }
        this.contextRunner.withPropertyValues(properties)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageStartingWith(message));
    }
}
