package io.crossbridge.hardening.health;

import io.crossbridge.hardening.Ticker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks an AI model provider with a cheap probe (listing models, say, not a completion):
 * healthy when it answers quickly, degraded when it answers slower than a threshold. Details
 * name the provider and model, never a key.
 */
public final class AiProviderHealthCheck implements HealthCheck {

    private final TimedProbe probe;

    /**
     * @param provider      the provider's name, such as {@code openai}
     * @param model         the model the service uses
     * @param probe         a cheap call, such as {@code client::listModels}
     * @param degradedAbove the latency above which the provider counts as degraded
     */
    public AiProviderHealthCheck(String provider, String model, Probe probe, Duration degradedAbove) {
        this(provider, model, probe, degradedAbove, Ticker.system());
    }

    public AiProviderHealthCheck(String provider, String model, Probe probe, Duration degradedAbove, Ticker ticker) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("provider", TimedProbe.required("provider", provider));
        details.put("model", TimedProbe.required("model", model));
        this.probe = new TimedProbe("AI provider " + provider, probe, degradedAbove, ticker, details);
    }

    @Override
    public HealthResult check() throws Exception {
        return probe.run();
    }
}
