package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthListener;
import io.crossbridge.hardening.health.HealthStatus;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Logs each change of a check's status once: a check going down at ERROR, one degrading at WARN,
 * a recovery at INFO. Only changes are logged, so a provider that stays down does not flood the
 * log every round.
 */
final class HealthStatusLogger implements HealthListener {

    private static final Log logger = LogFactory.getLog(HealthStatusLogger.class);

    @Override
    public void onStatusChange(String name, HealthStatus previous, HealthStatus current) {
        if (previous == null && current == HealthStatus.HEALTHY) {
            return;
        }
        String message = "Health check '" + name + "' is " + current + (previous != null ? " (was " + previous + ")" : "");
        switch (current) {
            case UNHEALTHY -> logger.error(message);
            case DEGRADED -> logger.warn(message);
            case HEALTHY -> logger.info(message);
        }
    }
}
