package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.autoconfigure.expression.ArgumentExpression;
import io.crossbridge.hardening.ratelimit.RateLimit;

/**
 * What a {@code @RateLimited} method takes, resolved once: the limit (or the expression that
 * chooses one per call, such as the caller's plan), the key expression ({@code null} to ask the
 * key resolver), and the tokens per call.
 *
 * @param name        the method as {@code Class.method}, for observations and logs
 * @param limit       the limit, or {@code null} when {@code limitChoice} chooses it
 * @param limitChoice an expression naming a configured limit, or {@code null}
 * @param catalog     where a chosen limit is looked up
 * @param shape       the shape of its result, which says how a rejection reaches the caller
 */
record RateLimitedSpec(String name, RateLimit limit, ArgumentExpression limitChoice, RateLimitCatalog catalog,
        ArgumentExpression key, int tokens, CallShape shape) {

    /**
     * Returns the limit of this call.
     *
     * @throws IllegalStateException when the expression chooses a name that is not configured:
     *                               the call is refused rather than let through unlimited
     */
    RateLimit limitFor(Object[] arguments) {
        if (limitChoice == null) {
            return limit;
        }
        Object chosen = limitChoice.valueFor(arguments);
        return catalog.find(chosen == null ? "" : chosen.toString()).orElseThrow(() -> new IllegalStateException("@RateLimited on "
                + name + ": limit expression " + limitChoice.text() + " chose '" + chosen
                + "', which is not a configured limit; configured: " + catalog.names()));
    }

    /** Returns the key of this call, or {@code null} when the expression gives none. */
    Object keyFor(Object[] arguments) {
        return key.valueFor(arguments);
    }
}
