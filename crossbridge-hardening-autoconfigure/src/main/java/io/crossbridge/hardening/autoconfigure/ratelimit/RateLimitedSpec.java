package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.RateLimit;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * What a {@code @RateLimited} method takes, resolved once: the limit, the parsed key expression
 * ({@code null} to ask the key resolver), the names the expression may use for the method's
 * arguments, and the tokens per call.
 *
 * @param name      the method as {@code Class.method}, for observations and logs
 * @param variables per argument index, its names: the parameter name (when compiled with
 *                  {@code -parameters}), {@code p<i>} and {@code a<i>}
 */
record RateLimitedSpec(String name, RateLimit limit, Expression key, String[][] variables, int tokens) {

    /**
     * Returns the key for these arguments: a read-only evaluation (properties and methods of the
     * arguments, no types, no constructors, no bean references), set up without reflection.
     */
    Object keyFor(Object[] arguments) {
        EvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().withInstanceMethods().build();
        for (int i = 0; i < arguments.length && i < variables.length; i++) {
            for (String name : variables[i]) {
                context.setVariable(name, arguments[i]);
            }
        }
        return key.getValue(context);
    }
}
