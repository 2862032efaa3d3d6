package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.autoconfigure.AdviceOrder;
import io.crossbridge.hardening.autoconfigure.AnnotatedMethodValidator;
import io.crossbridge.hardening.autoconfigure.AnnotationAdvisingPostProcessor;
import io.crossbridge.hardening.autoconfigure.failure.SpringFailureClassification;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of concurrency limits: the named limits, the proxies that apply
 * {@code @ConcurrencyLimited}, and their meters. Adaptive limits time calls with a
 * {@link Ticker} bean where there is one, so that a test can move time instead of waiting.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.concurrency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ConcurrencyProperties.class)
public final class ConcurrencyLimitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ConcurrencyLimitCatalog concurrencyLimitCatalog(ConcurrencyProperties properties, ObjectProvider<Ticker> ticker) {
        return ConcurrencyLimitCatalog.of(properties, ticker.getIfAvailable(Ticker::system));
    }

    @Bean
    OverloadSignals concurrencyOverloadSignals(ObjectProvider<FailureClassification> classification,
            ObjectProvider<FailureClassifier> rules, ConfigurableListableBeanFactory beanFactory) {
        return new OverloadSignals(classification.getIfAvailable(() -> SpringFailureClassification
                .of(rules.orderedStream().toList(), beanFactory.getBeanClassLoader())));
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static LimitedMethods concurrencyLimitedMethods(ObjectProvider<ConcurrencyLimitCatalog> catalog,
            ObjectProvider<ConcurrencyCalls.Factory> calls, ObjectProvider<OverloadSignals> signals) {
        return new LimitedMethods(catalog, calls, signals);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static AnnotationAdvisingPostProcessor concurrencyLimitedPostProcessor(Environment environment,
            LimitedMethods methods) {
        return new AnnotationAdvisingPostProcessor(ConcurrencyLimited.class, new ConcurrencyLimitedInterceptor(methods),
                AdviceOrder.postProcessorOrder(environment, "crossbridge.hardening.concurrency.order",
                        AdviceOrder.CONCURRENCY));
    }

    @Bean
    static AnnotatedMethodValidator concurrencyLimitedValidator(ConfigurableListableBeanFactory beanFactory,
            LimitedMethods methods) {
        return new AnnotatedMethodValidator(beanFactory, ConcurrencyLimited.class, methods::methodFor);
    }

    /**
     * {@code crossbridge.concurrency.calls} {name, outcome = permitted | rejected}, and the
     * {@code crossbridge.concurrency.inflight} and {@code crossbridge.concurrency.limit} gauges
     * {name}, where Micrometer and a registry exist.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class ConcurrencyMetricsConfiguration {

        @Bean
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        @ConditionalOnMissingBean
        ConcurrencyCalls.Factory micrometerConcurrencyCalls(MeterRegistry registry) {
            return name -> {
                Counter permitted = counter(registry, name, "permitted");
                Counter rejected = counter(registry, name, "rejected");
                return got -> (got ? permitted : rejected).increment();
            };
        }

        private static Counter counter(MeterRegistry registry, String name, String outcome) {
            return Counter.builder("crossbridge.concurrency.calls")
                    .description("Calls under a concurrency limit, by whether they got a place").tag("name", name)
                    .tag("outcome", outcome).register(registry);
        }

        @Bean
        @ConditionalOnMissingBean(name = "concurrencyLimitMeters")
        MeterBinder concurrencyLimitMeters(ConcurrencyLimitCatalog catalog) {
            return registry -> {
                for (NamedConcurrencyLimit limit : catalog.all()) {
                    Gauge.builder("crossbridge.concurrency.inflight", limit, NamedConcurrencyLimit::inFlight)
                            .description("Calls in flight under a concurrency limit").tag("name", limit.name())
                            .register(registry);
                    Gauge.builder("crossbridge.concurrency.limit", limit, l -> l.limiter().limit())
                            .description("Calls a concurrency limit lets in flight now (per key, for methods with a key)")
                            .tag("name", limit.name()).register(registry);
                }
            };
        }
    }
}
