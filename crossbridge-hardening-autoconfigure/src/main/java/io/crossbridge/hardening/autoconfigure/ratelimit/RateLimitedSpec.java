package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.ratelimit.RateLimit;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * What a {@code @RateLimited} method takes, resolved once: the limit (or the expression that
 * chooses one per call, such as the caller's plan), the parsed key expression ({@code null} to ask
 * the key resolver), the names the expressions may use for the method's arguments, and the tokens
 * per call.
 *
 * @param name        the method as {@code Class.method}, for observations and logs
 * @param limit       the limit, or {@code null} when {@code limitChoice} chooses it
 * @param limitChoice an expression naming a configured limit, or {@code null}
 * @param catalog     where a chosen limit is looked up
 * @param variables   per argument index, its names: the parameter name (when compiled with
 *                    {@code -parameters}), {@code p<i>} and {@code a<i>}
 * @param shape       the shape of its result, which says how a rejection reaches the caller
 */
record RateLimitedSpec(String name, RateLimit limit, Expression limitChoice, RateLimitCatalog catalog, Expression key,
        String[][] variables, int tokens, CallShape shape) {

    /**
     * Returns a read-only evaluation context over these arguments (properties and methods of the
     * arguments, no types, no constructors, no bean references), set up without reflection; or
     * {@code null} when no expression needs one.
     */
    EvaluationContext contextFor(Object[] arguments) {
        if (key == null && limitChoice == null) {
            return null;
        }
        EvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().withInstanceMethods().build();
        for (int i = 0; i < arguments.length && i < variables.length; i++) {
            for (String variable : variables[i]) {
                context.setVariable(variable, arguments[i]);
            }
        }
        return context;
    }

    /**
     * Returns the limit of this call.
     *
     * @throws IllegalStateException when the expression chooses a name that is not configured:
     *                               the call is refused rather than let through unlimited
     */
    RateLimit limitFor(EvaluationContext context) {
        if (limitChoice == null) {
            return limit;
        }
        Object chosen = limitChoice.getValue(context);
        return catalog.find(chosen == null ? "" : chosen.toString()).orElseThrow(() -> new IllegalStateException("@RateLimited on "
                + name + ": limit expression " + limitChoice.getExpressionString() + " chose '" + chosen
                + "', which is not a configured limit; configured: " + catalog.names()));
    }

    /** Returns the key of this call, or {@code null} when the expression gives none. */
    Object keyFor(EvaluationContext context) {
        return key.getValue(context);
    }
}
