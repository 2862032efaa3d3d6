package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.AdviceOrder;
import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.AnnotatedMethodValidator;
import io.crossbridge.hardening.autoconfigure.AnnotationAdvisingPostProcessor;
import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisStoreConfiguration;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.KeyFingerprint;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.micrometer.observation.ObservationRegistry;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of rate limiting: the catalog of named limits, the {@link RateLimiter} (in
 * memory unless the application defines its own), the key resolver, and the proxies that apply
 * {@code @RateLimited}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.rate-limit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimiterAutoConfiguration {

    private static final Log logger = LogFactory.getLog(RateLimiterAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    RateLimitCatalog rateLimitCatalog(RateLimitProperties properties) {
        // Makes the fingerprints' secret now: seeding it reads the system's entropy source, a
        // blocking read that must not wait for the first refusal on a non-blocking thread.
        KeyFingerprint.of("");
        return RateLimitCatalog.of(properties);
    }

    /**
     * The default store: buckets in this JVM's memory.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "crossbridge.hardening.rate-limit.store", havingValue = "memory", matchIfMissing = true)
    static class MemoryStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RateLimiter rateLimiter(RateLimitProperties properties) {
            if (properties.getMaxKeys() < 1) {
                throw new InvalidPropertyException("crossbridge.hardening.rate-limit.max-keys", properties.getMaxKeys(),
                        "It must be at least 1.");
            }
            return InMemoryRateLimiter.builder().maxKeys(properties.getMaxKeys()).build();
        }
    }

    /**
     * {@code store: redis} without Spring Data Redis: failing beats silently limiting each
     * instance on its own when the user asked for one shared limit.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "crossbridge.hardening.rate-limit.store", havingValue = "redis")
    @ConditionalOnMissingClass("org.springframework.data.redis.connection.RedisConnectionFactory")
    static class MissingRedisConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RateLimiter rateLimiter() {
            throw new InvalidPropertyException("crossbridge.hardening.rate-limit.store", "redis",
                    "Spring Data Redis is not on the class path: add org.springframework.boot:"
                            + "spring-boot-starter-data-redis, or use 'memory'.");
        }
    }

    /**
     * Who a request counts against by address, for the servlet key resolver and the URL rules on
     * either web stack.
     */
    @Bean
    @ConditionalOnMissingBean
    ClientAddresses rateLimitClientAddresses(RateLimitProperties properties, Environment environment) {
        RateLimitProperties.ClientAddress settings = properties.getClientAddress();
        if ((settings.getTrustedProxies() > 0 || settings.getHeader() != null) && forwardedHeadersApplied(environment)) {
            logger.warn("crossbridge.hardening.rate-limit.client-address reads forwarded headers, but the server "
                    + "applies them already (server.forward-headers-strategy, which Spring Boot turns on for "
                    + "cloud platforms such as Kubernetes): Tomcat's RemoteIpValve leaves in X-Forwarded-For only "
                    + "what the client wrote, and Spring's filter removes it. Set trusted-proxies to 0 (native "
                    + "already yields the client address) or server.forward-headers-strategy to none.");
        }
        return new ClientAddresses(settings);
    }

    private static boolean forwardedHeadersApplied(Environment environment) {
        String strategy = environment.getProperty("server.forward-headers-strategy");
        if (strategy != null) {
            return !strategy.trim().equalsIgnoreCase("none");
        }
        CloudPlatform platform = CloudPlatform.getActive(environment);
        return platform != null && platform.isUsingForwardHeaders();
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static RateLimitedSpecs rateLimitedSpecs(ObjectProvider<RateLimitCatalog> catalog) {
        return new RateLimitedSpecs(catalog);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static AnnotationAdvisingPostProcessor rateLimitedPostProcessor(Environment environment, RateLimitedSpecs specs,
            ObjectProvider<RateLimiter> limiter, ObjectProvider<RateLimitKeyResolver> keyResolver,
            ObjectProvider<RateLimitObserver> observer) {
        return new AnnotationAdvisingPostProcessor(RateLimited.class,
                new RateLimitedInterceptor(specs, limiter, keyResolver, observer),
                AdviceOrder.postProcessorOrder(environment, "crossbridge.hardening.rate-limit.order", AdviceOrder.RATE_LIMIT));
    }

    @Bean
    static AnnotatedMethodValidator rateLimitedValidator(ConfigurableListableBeanFactory beanFactory,
            RateLimitedSpecs specs) {
        return new AnnotatedMethodValidator(beanFactory, RateLimited.class, specs::specFor);
    }

    /**
     * {@code store: redis}: buckets shared by every instance, in the Redis that Spring Boot's
     * {@code spring.data.redis.*} settings connect to.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "crossbridge.hardening.rate-limit.store", havingValue = "redis")
    @ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
    @Import(RedisStoreConfiguration.class)
    static class RedisConfiguration {
    }

    /**
     * Rate-limit meters, where Micrometer exists; Boot binds every {@code MeterBinder} bean to
     * its registries.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class RateLimitMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RateLimitMeterBinder rateLimitMeterBinder(RateLimiter limiter, RateLimitCatalog catalog) {
            return new RateLimitMeterBinder(limiter, catalog);
        }
    }

    /**
     * Each rate-limited call as an observation, where Micrometer's observation API and a registry
     * exist.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
    static class RateLimitObservationConfiguration {

        @Bean
        @ConditionalOnBean(type = "io.micrometer.observation.ObservationRegistry")
        @ConditionalOnMissingBean
        RateLimitObserver micrometerRateLimitObserver(ObservationRegistry registry) {
            return new MicrometerRateLimitObserver(registry);
        }
    }

    /**
     * The default key of a call with no key expression, from the servlet request bound to the
     * calling thread: its principal, else its client address. Not in a WebFlux application, whose
     * default key is the exchange's ({@code ReactiveWebRateLimitAutoConfiguration}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { "org.springframework.web.context.request.RequestContextHolder",
            "jakarta.servlet.http.HttpServletRequest" })
    @Conditional(NotReactiveWebApplication.class)
    static class RequestKeyConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RateLimitKeyResolver rateLimitKeyResolver(ClientAddresses clientAddresses) {
            return new RequestRateLimitKeyResolver(clientAddresses);
        }
    }

    /** A servlet application, or none: a request may be bound to the calling thread. */
    static final class NotReactiveWebApplication extends AnyNestedCondition {

        NotReactiveWebApplication() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        static class Servlet {
        }

        @ConditionalOnNotWebApplication
        static class NotWeb {
        }
    }
}
