package io.crossbridge.hardening.autoconfigure.call;

import reactor.util.context.ContextView;

/**
 * The context of a reactive call: its subscriber's Reactor context, whole, for an advice that
 * subscribes to more on the call's behalf (a key resolver asking for the principal, which Spring
 * Security keeps in that context) and must pass it on.
 */
public record SubscriberContext(ContextView view) implements CallContext {

    @Override
    public Object get(Object key) {
        return view.getOrDefault(key, null);
    }
}
