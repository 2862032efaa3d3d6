package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named limits of the application: the built-in ones, with what the properties override or
 * add. Annotations and URL rules look their limits up here, so that an unknown name fails at
 * startup.
 */
public final class RateLimitCatalog {

    private static final String PREFIX = "crossbridge.hardening.rate-limit.limits.";

    private static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);

    private static final Map<String, RateLimit> BUILT_IN = builtIn();

    private final Map<String, RateLimit> limits;

    private RateLimitCatalog(Map<String, RateLimit> limits) {
        this.limits = Collections.unmodifiableMap(limits);
    }

    /**
     * Returns the catalog the properties describe.
     *
     * @throws InvalidPropertyException naming the first property that holds a bad value
     */
    public static RateLimitCatalog of(RateLimitProperties properties) {
        Map<String, RateLimit> limits = new LinkedHashMap<>(BUILT_IN);
        properties.getLimits().forEach((name, settings) -> limits.put(name, resolve(name, settings)));
        return new RateLimitCatalog(limits);
    }

    /**
     * Returns the limit of that name, if there is one.
     */
    public Optional<RateLimit> find(String name) {
        return Optional.ofNullable(limits.get(name));
    }

    /**
     * Returns the limit of that name.
     *
     * @throws IllegalArgumentException naming the limits there are, when there is none
     */
    public RateLimit get(String name) {
        RateLimit limit = limits.get(name);
        if (limit == null) {
            throw new IllegalArgumentException("no rate limit named '" + name + "'; configured: " + limits.keySet());
        }
        return limit;
    }

    public Set<String> names() {
        return limits.keySet();
    }

    private static RateLimit resolve(String name, RateLimitProperties.Limit settings) {
        RateLimit base = BUILT_IN.get(name);
        Long capacity = settings.getCapacity() != null ? settings.getCapacity() : base == null ? null : base.capacity();
        Duration window = settings.getWindow() != null ? settings.getWindow() : base == null ? DEFAULT_WINDOW : base.window();
        if (capacity == null) {
            throw new InvalidPropertyException(PREFIX + name + ".capacity", null,
                    "A new limit must set its capacity, at least 1.");
        }
        try {
            return RateLimit.of(name, capacity, window);
        }
        catch (IllegalArgumentException ex) {
            // RateLimit's messages start with the component at fault; only a window problem names it.
            boolean windowAtFault = ex.getMessage().startsWith("window");
            throw new InvalidPropertyException(PREFIX + name + (windowAtFault ? ".window" : ".capacity"),
                    windowAtFault ? window : capacity, capitalized(ex.getMessage()) + ".");
        }
    }

    private static String capitalized(String message) {
        return Character.toUpperCase(message.charAt(0)) + message.substring(1);
    }

    private static Map<String, RateLimit> builtIn() {
        Map<String, RateLimit> limits = new LinkedHashMap<>();
        limits.put("search", RateLimit.of("search", 30, DEFAULT_WINDOW));
        limits.put("embed", RateLimit.of("embed", 60, DEFAULT_WINDOW));
        limits.put("transform", RateLimit.of("transform", 10, DEFAULT_WINDOW));
        limits.put("health", RateLimit.of("health", 10, DEFAULT_WINDOW));
        return Collections.unmodifiableMap(limits);
    }
}
