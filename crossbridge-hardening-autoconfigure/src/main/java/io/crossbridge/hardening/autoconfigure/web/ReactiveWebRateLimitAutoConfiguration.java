package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.ratelimit.ClientAddresses;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitCatalog;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitKeyResolver;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.reactive.ServerWebExchangeContextFilter;

/**
 * Rate limiting over HTTP in a WebFlux application: URL rules from
 * {@code crossbridge.hardening.rate-limit.http} as a {@code WebFilter} that decides without
 * blocking (answered by {@link RefusalAnswersAutoConfiguration}, and from there by the
 * application's {@code @ExceptionHandler} when it has one), and the exchange's key as the default key of a reactive
 * {@code @RateLimited} method; the twin of {@link WebRateLimitAutoConfiguration}.
 */
@AutoConfiguration(after = RateLimiterAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(name = "org.springframework.web.reactive.DispatcherHandler")
@ConditionalOnBean({ RateLimiter.class, RateLimitCatalog.class })
public final class ReactiveWebRateLimitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ExchangeKeyResolver exchangeKeyResolver(ObjectProvider<ClientAddresses> clientAddresses,
            RateLimitProperties properties) {
        return new CallerKeyResolver(clientAddresses.getIfAvailable(() -> new ClientAddresses(properties.getClientAddress())));
    }

    @Bean
    @ConditionalOnMissingBean
    RejectionHandlerMapping rateLimitRejectionHandlerMapping() {
        return new RejectionHandlerMapping();
    }

    @Bean
    @ConditionalOnMissingBean
    RateLimitWebFilter rateLimitWebFilter(RateLimitProperties properties, RateLimitCatalog catalog, RateLimiter limiter,
            ObjectProvider<ClientAddresses> clientAddresses, ExchangeKeyResolver keyResolver) {
        ClientAddresses addresses = clientAddresses.getIfAvailable(() -> new ClientAddresses(properties.getClientAddress()));
        List<HttpRateLimitRule> rules = new ArrayList<>();
        for (int i = 0; i < properties.getHttp().size(); i++) {
            rules.add(HttpRateLimitRule.of(i, properties.getHttp().get(i), catalog, addresses));
        }
        return new RateLimitWebFilter(rules, limiter, keyResolver, properties.isHttpHeaders());
    }

    /**
     * The default key of a reactive {@code @RateLimited} method with no key: the exchange's, which
     * the exchange-context filter keeps in the Reactor context. Both back off when the
     * application declares its own {@link RateLimitKeyResolver}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(RateLimitKeyResolver.class)
    static class ExchangeKeyConfiguration {

        @Bean
        RateLimitKeyResolver rateLimitKeyResolver(ExchangeKeyResolver exchangeKeyResolver) {
            return new ExchangeRateLimitKeyResolver(exchangeKeyResolver);
        }

        /**
         * Unordered, so it runs after every ordered filter (Spring Security's chain among them)
         * and keeps the exchange as they decorated it, with its principal. Named apart from an
         * application's own bean of that simple name.
         */
        @Bean
        @ConditionalOnMissingBean
        ServerWebExchangeContextFilter crossbridgeServerWebExchangeContextFilter() {
            return new ServerWebExchangeContextFilter();
        }
    }
}
