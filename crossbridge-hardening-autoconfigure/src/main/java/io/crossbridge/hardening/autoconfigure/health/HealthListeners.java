package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthListener;
import io.crossbridge.hardening.health.HealthResult;
import io.crossbridge.hardening.health.HealthStatus;

import java.util.List;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Every {@link HealthListener} bean as the registry's one listener, in bean order; one that fails
 * is logged and does not keep the others from hearing the news.
 */
final class HealthListeners implements HealthListener {

    private static final Log logger = LogFactory.getLog(HealthListeners.class);

    private final List<HealthListener> listeners;

    HealthListeners(List<HealthListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void onStatusChange(String name, HealthStatus previous, HealthStatus current) {
        each(listener -> listener.onStatusChange(name, previous, current));
    }

    @Override
    public void onResult(String name, HealthResult result) {
        each(listener -> listener.onResult(name, result));
    }

    private void each(Consumer<HealthListener> call) {
        for (HealthListener listener : listeners) {
            try {
                call.accept(listener);
            }
            catch (RuntimeException ex) {
                logger.warn("Health listener " + listener.getClass().getName() + " failed", ex);
            }
        }
    }
}
