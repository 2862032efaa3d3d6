package io.crossbridge.hardening.autoconfigure;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Writes down, one line each, what the observations of a registry do: {@code start} (with the
 * parent observation, if any), {@code event}, {@code error} and {@code stop}, each start and stop
 * with the observation's name and its key values, for a test to compare.
 */
public final class ObservationLog implements ObservationHandler<Observation.Context> {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** A registry whose observations this log records. */
    public ObservationRegistry registry() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(this);
        return registry;
    }

    public List<String> lines() {
        return lines;
    }

    @Override
    public void onStart(Observation.Context context) {
        Observation parent = context.getParentObservation() instanceof Observation observation ? observation : null;
        lines.add("start " + context.getName() + (parent != null ? " in " + parent.getContext().getName() : "")
                + keyValues(context));
    }

    @Override
    public void onEvent(Observation.Event event, Observation.Context context) {
        lines.add("event " + event.getName());
    }

    @Override
    public void onError(Observation.Context context) {
        lines.add("error " + context.getError().getClass().getSimpleName());
    }

    @Override
    public void onStop(Observation.Context context) {
        lines.add("stop " + context.getName() + keyValues(context));
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return true;
    }

    private static String keyValues(Observation.Context context) {
        KeyValues all = context.getLowCardinalityKeyValues().and(context.getHighCardinalityKeyValues());
        return all.stream().map(keyValue -> " " + keyValue.getKey() + "=" + keyValue.getValue())
                .collect(Collectors.joining());
    }
}
