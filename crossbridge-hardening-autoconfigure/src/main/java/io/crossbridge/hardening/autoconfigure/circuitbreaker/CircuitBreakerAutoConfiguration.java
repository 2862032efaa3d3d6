package io.crossbridge.hardening.autoconfigure.circuitbreaker;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.autoconfigure.AdviceOrder;
import io.crossbridge.hardening.autoconfigure.AnnotatedMethodValidator;
import io.crossbridge.hardening.autoconfigure.AnnotationAdvisingPostProcessor;
import io.crossbridge.hardening.autoconfigure.failure.SpringFailureClassification;
import io.crossbridge.hardening.circuitbreaker.CircuitBreaker;
import io.crossbridge.hardening.circuitbreaker.CircuitState;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.health.HealthResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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
 * Auto-configuration of circuit breakers: the named breakers, the proxies that apply
 * {@code @CircuitBreaker}, a {@code circuitBreakers} health check (DEGRADED while any circuit is
 * not closed, never DOWN by itself, so that fallbacks keep the service up), and their meters.
 * Breakers read time from a {@link Ticker} bean where there is one, so that a test can move time
 * instead of waiting for a circuit to half-open.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnBooleanProperty(name = "crossbridge.hardening.circuit-breaker.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CircuitBreakerProperties.class)
public final class CircuitBreakerAutoConfiguration {

    private static final Log logger = LogFactory.getLog(CircuitBreakerAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    CircuitBreakerCatalog circuitBreakerCatalog(CircuitBreakerProperties properties,
            ObjectProvider<HealthRegistry> healthRegistry, ObjectProvider<Ticker> ticker,
            ObjectProvider<FailureClassification> classification, ObjectProvider<FailureClassifier> rules,
            ConfigurableListableBeanFactory beanFactory) {
        return CircuitBreakerCatalog.of(properties, (name, from, to) -> {
            String message = "Circuit breaker '" + name + "' went from " + from + " to " + to;
            if (to == CircuitState.OPEN || to == CircuitState.FORCED_OPEN) {
                logger.warn(message);
            }
            else {
                logger.info(message);
            }
            refreshHealth(healthRegistry.getIfAvailable());
        }, ticker.getIfAvailable(Ticker::system), classification.getIfAvailable(() -> SpringFailureClassification
                .of(rules.orderedStream().toList(), beanFactory.getBeanClassLoader())));
    }

    /**
     * Has the {@code circuitBreakers} check run now, so /actuator/health shows a state change at
     * once rather than at the next scheduled round; off this thread, which is the request thread
     * whose call changed the state.
     */
    private static void refreshHealth(HealthRegistry registry) {
        if (registry != null && registry.names().contains("circuitBreakers")) {
            try {
                registry.refresh("circuitBreakers");
            }
            catch (IllegalStateException ex) {
                // The registry closed with the application: nothing left to show.
            }
        }
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static GuardedMethods guardedMethods(ObjectProvider<CircuitBreakerCatalog> catalog,
            ObjectProvider<BreakerCalls.Factory> calls) {
        return new GuardedMethods(catalog, calls);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static AnnotationAdvisingPostProcessor circuitBreakerPostProcessor(Environment environment, GuardedMethods methods) {
        return new AnnotationAdvisingPostProcessor(io.crossbridge.hardening.annotation.CircuitBreaker.class,
                new CircuitBreakerInterceptor(methods), AdviceOrder.postProcessorOrder(environment,
                        "crossbridge.hardening.circuit-breaker.order", AdviceOrder.CIRCUIT_BREAKER));
    }

    @Bean
    static AnnotatedMethodValidator circuitBreakerValidator(ConfigurableListableBeanFactory beanFactory,
            GuardedMethods methods) {
        return new AnnotatedMethodValidator(beanFactory, io.crossbridge.hardening.annotation.CircuitBreaker.class,
                methods::methodFor);
    }

    @Bean
    @ConditionalOnMissingBean(name = "circuitBreakers")
    HealthCheck circuitBreakers(CircuitBreakerCatalog catalog) {
        // Reads memory only, so it runs off the pool that provider checks could hold up.
        return HealthCheck.answeringAtOnce(() -> {
            Map<String, Object> notClosed = catalog.all().stream()
                    .filter(breaker -> breaker.state() != CircuitState.CLOSED && breaker.state() != CircuitState.FORCED_CLOSED)
                    .collect(Collectors.toMap(CircuitBreaker::name, breaker -> breaker.state().name()));
            if (notClosed.isEmpty()) {
                return HealthResult.healthy("every circuit is closed");
            }
            HealthResult degraded = HealthResult.degraded("not closed: " + String.join(", ", notClosed.keySet()));
            for (Map.Entry<String, Object> breaker : notClosed.entrySet()) {
                degraded = degraded.withDetail(breaker.getKey(), breaker.getValue());
            }
            return degraded;
        });
    }

    /**
     * {@code crossbridge.circuitbreaker.calls} {name, outcome} and
     * {@code crossbridge.circuitbreaker.state} {name, state}, where Micrometer and a registry exist.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class CircuitBreakerMetricsConfiguration {

        @Bean
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        @ConditionalOnMissingBean
        BreakerCalls.Factory micrometerBreakerCalls(MeterRegistry registry) {
            return name -> {
                Map<BreakerCalls.Outcome, Counter> counters = new EnumMap<>(BreakerCalls.Outcome.class);
                for (BreakerCalls.Outcome outcome : BreakerCalls.Outcome.values()) {
                    counters.put(outcome, Counter.builder("crossbridge.circuitbreaker.calls")
                            .description("Calls through a circuit breaker, by outcome").tag("name", name)
                            .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry));
                }
                return outcome -> counters.get(outcome).increment();
            };
        }

        @Bean
        @ConditionalOnMissingBean(name = "circuitBreakerStateMeters")
        MeterBinder circuitBreakerStateMeters(CircuitBreakerCatalog catalog) {
            return registry -> {
                for (CircuitBreaker breaker : catalog.all()) {
                    for (CircuitState state : CircuitState.values()) {
                        Gauge.builder("crossbridge.circuitbreaker.state", breaker, b -> b.state() == state ? 1 : 0)
                                .description("1 for the state a circuit breaker is in, 0 for the others")
                                .tag("name", breaker.name()).tag("state", state.name().toLowerCase(Locale.ROOT))
                                .register(registry);
                    }
                }
            };
        }
    }
}
