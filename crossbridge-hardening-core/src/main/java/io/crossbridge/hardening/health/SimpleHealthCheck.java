package io.crossbridge.hardening.health;

import java.util.concurrent.Callable;

/**
 * Healthy when a condition holds: {@code new SimpleHealthCheck("queue", queue::isConnected)}.
 */
public final class SimpleHealthCheck implements HealthCheck {

    private final String subject;

    private final Callable<Boolean> condition;

    /**
     * @param condition a boolean supplier such as {@code queue::isConnected}; it may throw, and
     *                  the check then fails with that failure
     */
    public SimpleHealthCheck(String subject, Callable<Boolean> condition) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be null or blank");
        }
        if (condition == null) {
            throw new IllegalArgumentException("condition must not be null");
        }
        this.subject = subject;
        this.condition = condition;
    }

    @Override
    public HealthResult check() throws Exception {
        return Boolean.TRUE.equals(condition.call()) ? HealthResult.healthy(subject + " is up")
                : HealthResult.unhealthy(subject + " is down");
    }
}
