package io.crossbridge.hardening.health;

import java.util.List;
import java.util.Map;

/**
 * The results of every check at once.
 *
 * @param status   the worst status of all checks; healthy when there are none
 * @param healthy  whether no check is unhealthy (degraded checks still serve)
 * @param results  per check name, its result
 * @param failed   the names of the unhealthy checks
 * @param degraded the names of the degraded checks
 */
public record HealthReport(HealthStatus status, boolean healthy, Map<String, HealthResult> results,
        List<String> failed, List<String> degraded) {

    public HealthReport {
        results = Map.copyOf(results);
        failed = List.copyOf(failed);
        degraded = List.copyOf(degraded);
    }
}
