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

    /**
     * Whether this check answers at once: it reads state in memory only, never waiting on I/O or
     * a lock held long. The registry then runs it on the thread that asks rather than on its pool
     * of check threads, where hung provider checks could hold it up, and without a timeout, which
     * is why nothing slower may say so.
     */
    default boolean answersAtOnce() {
        return false;
    }

    /** The check, marked as one that {@linkplain #answersAtOnce() answers at once}. */
    static HealthCheck answeringAtOnce(HealthCheck check) {
        return new HealthCheck() {

            @Override
            public HealthResult check() throws Exception {
                return check.check();
            }

            @Override
            public boolean answersAtOnce() {
                return true;
            }
        };
    }
}
