package io.crossbridge.hardening.autoconfigure.expression;

import java.lang.invoke.MethodHandle;
import java.util.Map;

import org.springframework.expression.AccessException;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.SpelEvaluationException;
import org.springframework.expression.spel.SpelMessage;

/**
 * A key or limit expression of an annotation ({@code @RateLimited}, {@code @ConcurrencyLimited}), made once from its text and then evaluated
 * over each call's arguments. The shapes most keys have take no SpEL at all: a literal, an
 * argument ({@code #userId}, {@code #p0}, {@code #a0}), or a chain of property reads on one
 * ({@code #request.userId}); everything else is SpEL in a read-only context (see
 * {@link ArgumentExpressions}).
 */
public sealed interface ArgumentExpression {

    /** Returns the expression's value over {@code arguments}, as SpEL would give it. */
    Object valueFor(Object[] arguments);

    /** The expression's text, for messages. */
    String text();

    /** A literal: the same value on every call. */
    record Constant(String text, Object value) implements ArgumentExpression {

        @Override
        public Object valueFor(Object[] arguments) {
            return value;
        }
    }

    /** One argument, as it is. */
    record Argument(String text, int index) implements ArgumentExpression {

        @Override
        public Object valueFor(Object[] arguments) {
            return arguments[index];
        }
    }

    /**
     * Property reads on one argument, each through the getter, record accessor or public field
     * resolved at startup on the declared type; a null on the way fails the way SpEL does, unless
     * the step was written null-safe ({@code ?.}).
     *
     * @param names     per step, the property's name
     * @param readers   per step, a handle taking the object and returning the property as an
     *                  {@code Object}
     * @param nullSafe  per step, whether it was written {@code ?.}
     */
    record PropertyChain(String text, int index, String[] names, MethodHandle[] readers, boolean[] nullSafe)
            implements ArgumentExpression {

        @Override
        public Object valueFor(Object[] arguments) {
            Object value = arguments[index];
            for (int i = 0; i < readers.length; i++) {
                if (value == null) {
                    if (nullSafe[i]) {
                        return null;
                    }
                    throw new SpelEvaluationException(SpelMessage.PROPERTY_OR_FIELD_NOT_READABLE_ON_NULL, names[i]);
                }
                value = read(i, value);
            }
            return value;
        }

        /** Reads one step; what a getter throws is wrapped the way SpEL wraps it (EL1021E). */
        private Object read(int step, Object target) {
            try {
                return (Object) readers[step].invokeExact(target);
            }
            catch (Error ex) {
                throw ex;
            }
            catch (Throwable ex) {
                Exception cause = ex instanceof Exception exception ? exception : new IllegalStateException(ex);
                AccessException access = new AccessException("Unable to access property '" + names[step]
                        + "' through getter method", cause);
                throw new SpelEvaluationException(access, SpelMessage.EXCEPTION_DURING_PROPERTY_READ, names[step],
                        access.getMessage());
            }
        }
    }

    /**
     * Any other expression: SpEL, evaluated in a read-only context that reads the arguments'
     * variables without copying them into a map ({@link ArgumentsEvaluationContext}).
     */
    record Spel(Expression expression, Map<String, Integer> argumentIndexes) implements ArgumentExpression {

        @Override
        public Object valueFor(Object[] arguments) {
            return expression.getValue(new ArgumentsEvaluationContext(argumentIndexes, arguments));
        }

        @Override
        public String text() {
            return expression.getExpressionString();
        }
    }
}
