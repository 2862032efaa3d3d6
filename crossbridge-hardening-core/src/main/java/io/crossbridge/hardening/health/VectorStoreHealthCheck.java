package io.crossbridge.hardening.health;

import io.crossbridge.hardening.Ticker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a vector store with a cheap probe (counting a collection, say, not a search): healthy
 * when it answers quickly, degraded when it answers slower than a threshold. Details name the
 * store and collection, never a key.
 */
public final class VectorStoreHealthCheck implements HealthCheck {

    private final TimedProbe probe;

    /**
     * @param store         the store's name, such as {@code pgvector}
     * @param collection    the collection or index the service uses
     * @param probe         a cheap call, such as {@code store::count}
     * @param degradedAbove the latency above which the store counts as degraded
     */
    public VectorStoreHealthCheck(String store, String collection, Probe probe, Duration degradedAbove) {
        this(store, collection, probe, degradedAbove, Ticker.system());
    }

    public VectorStoreHealthCheck(String store, String collection, Probe probe, Duration degradedAbove, Ticker ticker) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("store", TimedProbe.required("store", store));
        details.put("collection", TimedProbe.required("collection", collection));
        this.probe = new TimedProbe("vector store " + store, probe, degradedAbove, ticker, details);
    }

    @Override
    public HealthResult check() throws Exception {
        return probe.run();
    }
}
