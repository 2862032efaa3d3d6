package io.crossbridge.hardening.health;

/**
 * Checks one provider. A check that throws counts as unhealthy; it need not catch anything.
 */
@FunctionalInterface
public interface HealthCheck {

    /**
     * Checks the provider, cheaply: this runs on a schedule, for every instance of the service.
     */
    HealthResult check() throws Exception;
}
