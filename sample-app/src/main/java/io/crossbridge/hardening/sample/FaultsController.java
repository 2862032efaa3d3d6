package io.crossbridge.hardening.sample;

import java.time.Instant;
import java.util.List;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Fault injection for the demo: {@code POST /demo/faults} with
 * {@code {"failureRate": 0.5, "latencyMs": 200, "outage": false, "failNext": 2, "rateLimitNext": 1,
 * "retryAfterSeconds": 1}} (each optional), {@code DELETE} to clear. The provider answers those
 * faults over HTTP, 503 or 429 with {@code Retry-After}.
 * Not rate limited, so a demo can always recover.
 */
@RestController
public class FaultsController {

    private final Faults faults;

    public FaultsController(Faults faults) {
        this.faults = faults;
    }

    @GetMapping("/demo/faults")
    public Faults.Settings get() {
        return faults.settings();
    }

    /** The posted faults; a field left out is no fault of that kind. */
    public record FaultsRequest(Double failureRate, Long latencyMs, Boolean outage, Integer failNext,
            Integer rateLimitNext, Integer retryAfterSeconds) {

        Faults.Settings toSettings() {
            return new Faults.Settings(failureRate == null ? 0 : failureRate, latencyMs == null ? 0 : latencyMs,
                    outage != null && outage, failNext == null ? 0 : failNext, rateLimitNext == null ? 0 : rateLimitNext,
                    retryAfterSeconds == null ? 1 : retryAfterSeconds);
        }
    }

    /** When the provider received each request of an operation since faults were last set. */
    @GetMapping("/demo/provider/requests")
    public List<Instant> requests(@RequestParam String operation) {
        return faults.arrivals(operation);
    }

    @PostMapping("/demo/faults")
    public Faults.Settings set(@RequestBody FaultsRequest request) {
        Faults.Settings settings = request.toSettings();
        faults.set(settings);
        return settings;
    }

    @DeleteMapping("/demo/faults")
    public Faults.Settings clear() {
        faults.set(Faults.Settings.NONE);
        return Faults.Settings.NONE;
    }
}
