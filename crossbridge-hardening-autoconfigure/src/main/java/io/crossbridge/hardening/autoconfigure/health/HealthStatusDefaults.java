package io.crossbridge.hardening.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Teaches Actuator the {@code DEGRADED} status through defaults of Spring Boot's own properties,
 * added with the lowest precedence, so that anything the application sets wins:
 * <ul>
 * <li>{@code management.endpoint.health.status.order}: {@code DEGRADED} between
 * {@code OUT_OF_SERVICE} and {@code UP}. Without it Actuator would leave {@code DEGRADED} out of
 * the aggregate altogether. A user's own order without {@code DEGRADED} is kept, with a warning.
 * No HTTP mapping is added: an unmapped status already answers 200, and any mapping set here
 * would replace Actuator's default 503 for {@code DOWN}.</li>
 * <li>with {@code crossbridge.hardening.health.readiness: true}, the {@code crossbridge} checks
 * join the readiness group.</li>
 * </ul>
 */
public class HealthStatusDefaults implements EnvironmentPostProcessor {

    static final String STATUS_ORDER = "management.endpoint.health.status.order";

    static final String READINESS_INCLUDE = "management.endpoint.health.group.readiness.include";

    private final Log logger;

    public HealthStatusDefaults(DeferredLogFactory logFactory) {
        this.logger = logFactory.getLog(HealthStatusDefaults.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        if (!binder.bind("crossbridge.hardening.health.enabled", Boolean.class).orElse(true)) {
            return;
        }
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put(STATUS_ORDER, "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
        if (binder.bind("crossbridge.hardening.health.readiness", Boolean.class).orElse(false)) {
            defaults.put(READINESS_INCLUDE, "readinessState,crossbridge");
        }
        environment.getPropertySources().addLast(new MapPropertySource("crossbridgeHealthDefaults", defaults));
        List<String> order = Binder.get(environment).bind(STATUS_ORDER, Bindable.listOf(String.class)).orElse(List.of());
        if (order.stream().map(status -> status.trim().toUpperCase(Locale.ROOT)).noneMatch("DEGRADED"::equals)) {
            logger.warn(STATUS_ORDER + " " + order + " does not list DEGRADED, so a degraded crossbridge health "
                    + "check does not change the overall status; add it, for example between OUT_OF_SERVICE and UP");
        }
    }
}
