package io.crossbridge.hardening.autoconfigure.call;

/**
 * What a call's caller keeps beside the call, for an advice that needs more than the arguments:
 * a reactive subscriber's Reactor context ({@link SubscriberContext}; on WebFlux, the exchange
 * being served and the observation of the request). A blocking or asynchronous call keeps its
 * context in the calling thread instead, and has none here.
 */
@FunctionalInterface
public interface CallContext {

    /** A call with nothing beside it. */
    CallContext NONE = key -> null;

    /**
     * The key under which Micrometer, Spring's {@code WebClient} and WebFlux keep the current
     * observation in a Reactor context ({@code ObservationThreadLocalAccessor.KEY}).
     */
    String OBSERVATION = "micrometer.observation";

    /** The value kept under {@code key}, or {@code null}. */
    Object get(Object key);
}
