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
     * Whether this check answers at once by itself: it reads state in memory, or bounds its own
     * I/O by a short timeout. The registry then runs it on the thread that asks rather than on its
     * pool of check threads, where hung provider checks could hold it up past the timeout.
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
