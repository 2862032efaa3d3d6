package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.ratelimit.ClientAddresses;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitCatalog;
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
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Rate limiting over HTTP in a servlet application: URL rules from
 * {@code crossbridge.hardening.rate-limit.http}; {@link RefusalAnswersAutoConfiguration} answers
 * their rejections. A WebFlux application gets the same from
 * {@link ReactiveWebRateLimitAutoConfiguration}.
 */
@AutoConfiguration(after = RateLimiterAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.springframework.web.servlet.config.annotation.WebMvcConfigurer")
@ConditionalOnBean({ RateLimiter.class, RateLimitCatalog.class })
public final class WebRateLimitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "rateLimitUrlRules")
    WebMvcConfigurer rateLimitUrlRules(RateLimitProperties properties, RateLimitCatalog catalog, RateLimiter limiter,
            ObjectProvider<ClientAddresses> clientAddresses) {
        ClientAddresses addresses = clientAddresses.getIfAvailable(() -> new ClientAddresses(properties.getClientAddress()));
        List<HttpRateLimitRule> rules = new ArrayList<>();
        for (int i = 0; i < properties.getHttp().size(); i++) {
            rules.add(HttpRateLimitRule.of(i, properties.getHttp().get(i), catalog, addresses));
        }
        RateLimitHandlerInterceptor interceptor = new RateLimitHandlerInterceptor(rules, limiter,
                properties.isHttpHeaders());
        return new WebMvcConfigurer() {

            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                if (!rules.isEmpty()) {
                    registry.addInterceptor(interceptor);
                }
            }
        };
    }
}
