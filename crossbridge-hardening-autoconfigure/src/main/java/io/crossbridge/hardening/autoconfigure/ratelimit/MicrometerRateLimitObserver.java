package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Each call of a {@code @RateLimited} method as a {@code crossbridge.ratelimit} observation, with
 * low-cardinality keys {@code name}, {@code limit} and {@code outcome} ({@code allowed},
 * {@code rejected}, or {@code error} when no decision could be made); never the key, which may be
 * a secret. While the method runs on the calling thread the observation is current, so the
 * provider calls and any retry nest under it; a reactive call has it current in its Reactor
 * context instead, and the observation of its subscriber's context as its parent.
 */
final class MicrometerRateLimitObserver implements RateLimitObserver {

    private final ObservationRegistry registry;

    MicrometerRateLimitObserver(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Call start(String name, String limit, Object parent) {
        Observation observation = Observation.createNotStarted("crossbridge.ratelimit", registry)
                .lowCardinalityKeyValue("name", name)
                .lowCardinalityKeyValue("limit", limit);
        if (parent instanceof Observation caller) {
            observation.parentObservation(caller);
        }
        observation.start();
        return new Call() {

            private Observation.Scope scope;

            @Override
            public void rejected(RuntimeException reason) {
                observation.lowCardinalityKeyValue("outcome", "rejected").error(reason).stop();
            }

            @Override
            public void failed(Throwable failure) {
                observation.lowCardinalityKeyValue("outcome", "error").error(failure).stop();
            }

            @Override
            public void allowed() {
                observation.lowCardinalityKeyValue("outcome", "allowed");
            }

            @Override
            public void running() {
                scope = observation.openScope();
            }

            @Override
            public void returned() {
                scope.close();
            }

            @Override
            public void cancelled() {
                observation.event(Observation.Event.of("crossbridge.ratelimit.cancelled", "the caller cancelled the call"));
                observation.stop();
            }

            @Override
            public void end(Throwable failure) {
                if (failure != null) {
                    observation.error(failure);
                }
                observation.stop();
            }

            @Override
            public Object observation() {
                return observation;
            }
        };
    }
}
