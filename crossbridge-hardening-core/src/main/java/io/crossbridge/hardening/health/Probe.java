package io.crossbridge.hardening.health;

/**
 * A cheap call that succeeds when a provider works, such as {@code client::ping} or
 * {@code provider::listModels}; whatever it returns is ignored.
 */
@FunctionalInterface
public interface Probe {

    void run() throws Exception;
}
