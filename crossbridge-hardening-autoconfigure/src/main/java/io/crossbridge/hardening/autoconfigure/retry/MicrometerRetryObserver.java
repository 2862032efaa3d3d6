package io.crossbridge.hardening.autoconfigure.retry;

import java.time.Duration;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Each call of a {@code @RetryWithBackoff} method as a {@code crossbridge.retry} observation
 * (low-cardinality keys {@code name} and {@code policy}), with an event per failed attempt; made
 * current on the calling thread for a synchronous call, so the provider calls nest under it, and
 * in the Reactor context of each attempt of a reactive call, whose subscriber's observation is its
 * parent.
 */
final class MicrometerRetryObserver implements RetryObserver {

    private final ObservationRegistry registry;

    MicrometerRetryObserver(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Call start(RetriedMethod method, boolean onThisThread, Object parent) {
        Observation observation = Observation.createNotStarted("crossbridge.retry", registry)
                .lowCardinalityKeyValue("name", method.name())
                .lowCardinalityKeyValue("policy", method.policyName());
        if (parent instanceof Observation caller) {
            observation.parentObservation(caller);
        }
        observation.start();
        Observation.Scope scope = onThisThread ? observation.openScope() : null;
        return new Call() {

            @Override
            public void retrying(int attempt, Throwable failure, Duration delay) {
                observation.event(Observation.Event.of("crossbridge.retry.attempt.failed", "attempt " + attempt
                        + " failed with " + (failure == null ? "a rejected result" : failure.getClass().getName())
                        + ", retrying in " + delay.toMillis() + " ms"));
            }

            @Override
            public void cancelled() {
                observation.event(Observation.Event.of("crossbridge.retry.cancelled", "the caller cancelled the call"));
                end(null);
            }

            @Override
            public void end(Throwable failure) {
                if (scope != null) {
                    scope.close();
                }
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
