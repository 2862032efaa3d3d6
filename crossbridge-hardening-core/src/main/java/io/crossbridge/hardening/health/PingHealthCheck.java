package io.crossbridge.hardening.health;

/**
 * Healthy when a ping succeeds: {@code new PingHealthCheck("redis", connection::ping)}.
 */
public final class PingHealthCheck implements HealthCheck {

    private final String subject;

    private final Probe ping;

    public PingHealthCheck(String subject, Probe ping) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be null or blank");
        }
        if (ping == null) {
            throw new IllegalArgumentException("ping must not be null");
        }
        this.subject = subject;
        this.ping = ping;
    }

    @Override
    public HealthResult check() throws Exception {
        ping.run();
        return HealthResult.healthy(subject + " answered a ping");
    }
}
