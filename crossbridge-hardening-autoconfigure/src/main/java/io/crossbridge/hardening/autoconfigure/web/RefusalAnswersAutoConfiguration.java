package io.crossbridge.hardening.autoconfigure.web;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.DispatcherHandler;

/**
 * HTTP answers to the starter's refusals, whichever concern refused ({@link RateLimitProblem}):
 * a rate limit's 429 or 400, a concurrency limit's 503 or 429, whether a URL rule or an annotated
 * method refused. Apart from the rate limit's configuration, so that an application with rate
 * limiting turned off still answers a full concurrency limit properly.
 */
@AutoConfiguration
public final class RefusalAnswersAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "org.springframework.web.servlet.HandlerExceptionResolver")
    static class ServletRefusalAnswers {

        @Bean
        @ConditionalOnMissingBean
        RateLimitExceptionResolver rateLimitExceptionResolver(ApplicationContext context) {
            return new RateLimitExceptionResolver(new ApplicationExceptionHandlers(context));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.reactive.DispatcherHandler")
    static class ReactiveRefusalAnswers {

        @Bean
        @ConditionalOnMissingBean
        RateLimitWebExceptionHandler rateLimitWebExceptionHandler(ApplicationContext context,
                ObjectProvider<DispatcherHandler> dispatcher) {
            return new RateLimitWebExceptionHandler(new ApplicationExceptionHandlers(context), dispatcher);
        }
    }
}
