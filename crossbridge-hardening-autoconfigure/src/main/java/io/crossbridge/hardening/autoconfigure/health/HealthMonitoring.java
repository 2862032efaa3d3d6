package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthRegistry;

import java.time.Duration;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;

/**
 * Ties the {@link HealthRegistry} to the application context: every {@link HealthCheck} bean is
 * registered under its bean name once the singletons exist, monitoring starts with the context
 * and stops with it. Stopping closes the registry, which interrupts checks still running and
 * waits at most the check timeout, so a hung check cannot hold up shutdown for longer.
 */
public class HealthMonitoring implements SmartInitializingSingleton, SmartLifecycle {

    private final ListableBeanFactory beanFactory;

    private final HealthRegistry registry;

    private final Duration interval;

    private volatile boolean running;

    public HealthMonitoring(ListableBeanFactory beanFactory, HealthRegistry registry, Duration interval) {
        this.beanFactory = beanFactory;
        this.registry = registry;
        this.interval = interval;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Map<String, HealthCheck> checks = beanFactory.getBeansOfType(HealthCheck.class);
        checks.forEach((name, check) -> {
            // A check the application registered itself under the same name keeps its place.
            if (!registry.names().contains(name)) {
                registry.register(name, check);
            }
        });
    }

    @Override
    public void start() {
        registry.start(interval);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        registry.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
