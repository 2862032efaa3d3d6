package io.crossbridge.hardening.health;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one health check run.
 * <p>
 * Health output is shown over HTTP and logged, so a result keeps secrets out by construction:
 * text that looks like a credential is masked in the message, the error message and string
 * details, and a detail whose name looks like one ({@code apiKey}, {@code token}, ...) shows only
 * a mask.
 *
 * @param status              how the provider is doing
 * @param message             a short human explanation, or {@code null}
 * @param details             named facts such as provider, model or latency; never secrets
 * @param duration            how long the check took; filled by the {@link HealthRegistry}
 * @param checkedAt           when the check ran; filled by the registry, {@code null} before
 * @param errorType           the class name of the failure, or {@code null}
 * @param errorMessage        the failure's message, or {@code null}
 * @param consecutiveFailures failed runs in a row up to this one; filled by the registry
 * @param stale               whether this result is older than twice the monitoring interval
 */
public record HealthResult(HealthStatus status, String message, Map<String, Object> details, Duration duration,
        Instant checkedAt, String errorType, String errorMessage, int consecutiveFailures, boolean stale) {

    public HealthResult {
        if (status == null) {
            throw new IllegalArgumentException("status must not be null");
        }
        message = Redaction.scrub(message);
        details = redacted(details == null ? Map.of() : details);
        duration = duration == null ? Duration.ZERO : duration;
        errorMessage = Redaction.scrub(errorMessage);
    }

    public static HealthResult healthy() {
        return of(HealthStatus.HEALTHY, null);
    }

    public static HealthResult healthy(String message) {
        return of(HealthStatus.HEALTHY, message);
    }

    public static HealthResult degraded(String message) {
        return of(HealthStatus.DEGRADED, message);
    }

    public static HealthResult unhealthy(String message) {
        return of(HealthStatus.UNHEALTHY, message);
    }

    /**
     * Returns an unhealthy result for {@code failure}: its type and (masked) message, never its
     * stack trace.
     */
    public static HealthResult unhealthy(Throwable failure) {
        String type = failure.getClass().getName();
        String message = failure.getMessage() == null ? type : type + ": " + failure.getMessage();
        return new HealthResult(HealthStatus.UNHEALTHY, message, Map.of(), Duration.ZERO, null, type,
                failure.getMessage(), 0, false);
    }

    /**
     * Returns this result with one more detail.
     */
    public HealthResult withDetail(String name, Object value) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("detail name must not be null or blank");
        }
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(name, value);
        return new HealthResult(status, message, more, duration, checkedAt, errorType, errorMessage,
                consecutiveFailures, stale);
    }

    /**
     * Returns whether the status is {@link HealthStatus#UNHEALTHY}.
     */
    public boolean isUnhealthy() {
        return status == HealthStatus.UNHEALTHY;
    }

    HealthResult withRun(HealthStatus status, String message, Duration duration, Instant checkedAt,
            int consecutiveFailures) {
        return new HealthResult(status, message, details, duration, checkedAt, errorType, errorMessage,
                consecutiveFailures, false);
    }

    HealthResult asStale() {
        return new HealthResult(status, message, details, duration, checkedAt, errorType, errorMessage,
                consecutiveFailures, true);
    }

    private static HealthResult of(HealthStatus status, String message) {
        return new HealthResult(status, message, Map.of(), Duration.ZERO, null, null, null, 0, false);
    }

    private static Map<String, Object> redacted(Map<String, Object> details) {
        Map<String, Object> safe = new LinkedHashMap<>();
        details.forEach((name, value) -> {
            if (name == null) {
                throw new IllegalArgumentException("detail names must not be null");
            }
            safe.put(name, Redaction.isSecretName(name) ? Redaction.MASK : safeValue(value));
        });
        return Collections.unmodifiableMap(safe);
    }

    /** Numbers, booleans, enums and times as they are; anything else as masked text. */
    private static Object safeValue(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean || value instanceof Enum
                || value instanceof Duration || value instanceof TemporalAccessor) {
            return value;
        }
        return Redaction.scrub(String.valueOf(value));
    }
}
