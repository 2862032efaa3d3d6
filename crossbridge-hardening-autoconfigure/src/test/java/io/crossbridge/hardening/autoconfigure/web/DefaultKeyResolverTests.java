package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitKeyResolver;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.filter.reactive.ServerWebExchangeContextFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which default key a {@code @RateLimited} call with no key gets: the servlet request's on Spring
 * MVC and outside any web application, the exchange's on WebFlux (with the filter that keeps the
 * exchange in the Reactor context), and the application's own resolver wherever it declares one.
 */
class DefaultKeyResolverTests {

    private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(RateLimiterAutoConfiguration.class,
            WebRateLimitAutoConfiguration.class, ReactiveWebRateLimitAutoConfiguration.class);

    private static final RateLimitKeyResolver OWN = (method, arguments) -> "own";

    @Test
    void aServletApplicationCountsByTheRequestBoundToTheThread() {
        new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS).run(context -> {
            assertThat(context.getBean(RateLimitKeyResolver.class).getClass().getSimpleName())
                    .isEqualTo("RequestRateLimitKeyResolver");
            assertThat(context).doesNotHaveBean(ServerWebExchangeContextFilter.class);
        });
    }

    @Test
    void anApplicationWithoutAWebServerCountsByARequestBoundToTheThreadToo() {
        new ApplicationContextRunner().withConfiguration(CONFIGURATIONS).run(context -> assertThat(
                context.getBean(RateLimitKeyResolver.class).getClass().getSimpleName())
                .isEqualTo("RequestRateLimitKeyResolver"));
    }

    @Test
    void aWebFluxApplicationCountsByTheExchangeItKeepsInTheReactorContext() {
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS).run(context -> {
            assertThat(context).getBean(RateLimitKeyResolver.class).isInstanceOf(ExchangeRateLimitKeyResolver.class);
            assertThat(context).hasSingleBean(ServerWebExchangeContextFilter.class);
        });
    }

    @Test
    void aWebFluxApplicationsOwnResolverReplacesTheDefaultAndItsFilter() {
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
                .withBean(RateLimitKeyResolver.class, () -> OWN).run(context -> {
                    assertThat(context).getBean(RateLimitKeyResolver.class).isSameAs(OWN);
                    assertThat(context).doesNotHaveBean(ServerWebExchangeContextFilter.class);
                });
    }

    @Test
    void aWebFluxApplicationsOwnExchangeFilterIsTheOnlyOne() {
        ServerWebExchangeContextFilter own = new ServerWebExchangeContextFilter() {
        };
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
                .withBean("serverWebExchangeContextFilter", ServerWebExchangeContextFilter.class, () -> own)
                .run(context -> assertThat(context).getBean(ServerWebExchangeContextFilter.class).isSameAs(own));
    }

    @Test
    void aServletApplicationsOwnResolverReplacesTheDefault() {
        new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS).withBean(RateLimitKeyResolver.class, () -> OWN)
                .run(context -> assertThat(context).getBean(RateLimitKeyResolver.class).isSameAs(OWN));
    }
}
