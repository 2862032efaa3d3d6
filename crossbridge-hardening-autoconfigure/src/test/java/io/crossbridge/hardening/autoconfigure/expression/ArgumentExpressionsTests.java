package io.crossbridge.hardening.autoconfigure.expression;

import java.lang.reflect.Method;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.spel.SpelEvaluationException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ArgumentExpressionsTests {

    private static final Method METHOD = ReflectionUtils.findMethod(Service.class, "search", String.class, Request.class,
            Object.class);

    private static final Request REQUEST = new Request("alice", new Customer("c-7", true), new Tier("gold"),
            Optional.of("al"));

    private static final Object[] ARGUMENTS = { "plan-pro", REQUEST, REQUEST };

    private static final Object[] NO_NICKNAME = { "plan-pro",
            new Request("carol", new Customer("c-8", false), new Tier("free"), Optional.empty()), null };

    private final ArgumentExpressions expressions = new ArgumentExpressions(METHOD,
            new String[][] { { "plan", "p0", "a0" }, { "request", "p1", "a1" }, { "value", "p2", "a2" } });

    @Test
    void literalsArgumentsAndPropertyChainsAreReadWithoutSpel() {
        assertThat(compile("'k'")).isEqualTo(new ArgumentExpression.Constant("'k'", "k"));
        assertThat(compile("42")).isEqualTo(new ArgumentExpression.Constant("42", 42));
        assertThat(compile("#plan")).isEqualTo(new ArgumentExpression.Argument("#plan", 0));
        assertThat(compile("#p1")).isEqualTo(new ArgumentExpression.Argument("#p1", 1));
        assertThat(compile("#a0")).isEqualTo(new ArgumentExpression.Argument("#a0", 0));
        assertThat(compile("#request.userId")).isInstanceOf(ArgumentExpression.PropertyChain.class);
        assertThat(compile("#request.customer.id")).isInstanceOf(ArgumentExpression.PropertyChain.class);
        assertThat(compile("#request.customer.active")).isInstanceOf(ArgumentExpression.PropertyChain.class);
        assertThat(compile("#request.tier.name")).isInstanceOf(ArgumentExpression.PropertyChain.class);
        assertThat(compile("#request?.customer?.id")).isInstanceOf(ArgumentExpression.PropertyChain.class);
    }

    @Test
    void everyOtherShapeStaysSpel() {
        assertThat(compile("#p0 + ':' + #a1.userId")).isInstanceOf(ArgumentExpression.Spel.class);
        assertThat(compile("#request.userId.toUpperCase()")).isInstanceOf(ArgumentExpression.Spel.class);
        // Declared as Object: nothing to resolve a property on at startup.
        assertThat(compile("#value.userId")).isInstanceOf(ArgumentExpression.Spel.class);
        assertThat(compile("#request.missing")).isInstanceOf(ArgumentExpression.Spel.class);
    }

    @Test
    void eachShapeGivesWhatSpelGivesInTheReadOnlyContext() {
        for (String text : new String[] { "'k'", "42", "#plan", "#p1", "#a2", "#request.userId", "#request.customer.id",
                "#request.customer.active", "#request.tier.name", "#request?.customer?.id", "#value.userId",
                "#p0 + ':' + #a1.userId", "#request.userId.toUpperCase()", "#plan == 'plan-pro' ? 'roomy' : 'tiny'" }) {
            assertThat(compile(text).valueFor(ARGUMENTS)).as(text).isEqualTo(spel(text, ARGUMENTS));
        }
    }

    @Test
    void aNullOnTheWayFailsAsSpelDoesUnlessWrittenNullSafe() {
        Object[] noRequest = { "plan-pro", null, null };
        assertThatExceptionOfType(SpelEvaluationException.class)
                .isThrownBy(() -> compile("#request.userId").valueFor(noRequest))
                .withMessage(messageOf(() -> spel("#request.userId", noRequest)));
        Object[] noCustomer = { "plan-pro", new Request("bob", null, null, Optional.empty()), null };
        assertThatExceptionOfType(SpelEvaluationException.class)
                .isThrownBy(() -> compile("#request.customer.id").valueFor(noCustomer))
                .withMessage(messageOf(() -> spel("#request.customer.id", noCustomer)));
        assertThat(compile("#request?.customer?.id").valueFor(noCustomer)).isNull();
    }

    @Test
    void whatDataBindingRefusesOrUnwrapsStaysSpelAndFailsOrAnswersAsSpelDoes() {
        for (String text : new String[] { "#plan.class", "#request.class", "#request.customer.class",
                "#request.customer.hashCode", "#request.nickname.present", "#request?.nickname?.empty",
                // SpEL unwraps a present Optional on a null-safe step: String has no "present".
                "#request?.nickname?.present",
                "#request.customer.failing" }) {
            for (Object[] arguments : new Object[][] { ARGUMENTS, NO_NICKNAME }) {
                assertThat(outcomeOf(() -> compile(text).valueFor(arguments))).as(text)
                        .isEqualTo(outcomeOf(() -> spel(text, arguments)));
            }
        }
        assertThat(compile("#request.nickname.present")).isInstanceOf(ArgumentExpression.Spel.class);
        assertThat(compile("#request.customer.failing")).isInstanceOf(ArgumentExpression.PropertyChain.class);
    }

    @Test
    void expressionsCannotAssign() {
        assertThatExceptionOfType(SpelEvaluationException.class)
                .isThrownBy(() -> compile("#plan = 'free'").valueFor(ARGUMENTS.clone()));
    }

    @Test
    void expressionsReachNoTypesConstructorsOrBeans() {
        for (String text : new String[] { "T(java.lang.System).getenv()", "new java.lang.StringBuilder('x')",
                "@limiter" }) {
            assertThatExceptionOfType(SpelEvaluationException.class).as(text)
                    .isThrownBy(() -> compile(text).valueFor(ARGUMENTS.clone()));
        }
    }

    @Test
    void thisAndRootAreNoArgumentsYetAllowedAsInSpel() {
        for (String text : new String[] { "#this", "#root" }) {
            assertThat(compile(text).valueFor(ARGUMENTS.clone())).as(text).isEqualTo(spel(text, ARGUMENTS));
        }
    }

    @Test
    void withoutParameterNamesTheMessageSaysHowToGetThem() {
        ArgumentExpressions positional = new ArgumentExpressions(METHOD,
                new String[][] { { "p0", "a0" }, { "p1", "a1" }, { "p2", "a2" } });

        assertThatIllegalStateException().isThrownBy(() -> positional.compile("@RateLimited on Service.search()",
                "key", "#plan")).withMessageContaining("reads #plan, which is not one of its arguments")
                .withMessageContaining("(parameter names need the compiler's -parameters flag)");
        assertThatIllegalStateException().isThrownBy(() -> compile("#usrId"))
                .withMessageNotContaining("-parameters");
    }

    @Test
    void aVariableThatNamesNoArgumentStopsStartup() {
        assertThatIllegalStateException().isThrownBy(() -> expressions.compile("@RateLimited on Service.search()", "key",
                "#request.userId + #usrId"))
                .withMessageContaining("@RateLimited on Service.search() has a key expression \"#request.userId + #usrId\" "
                        + "that reads #usrId, which is not one of its arguments")
                .withMessageContaining("#a0, #a1, #a2, #p0, #p1, #p2, #plan, #request, #value");
    }

    @Test
    void anExpressionThatDoesNotParseStopsStartup() {
        assertThatIllegalStateException().isThrownBy(() -> expressions.compile("@RateLimited on Service.search()", "limit",
                "#plan ==")).withMessageContaining("has a limit expression that does not parse: \"#plan ==\"");
    }

    private ArgumentExpression compile(String text) {
        return expressions.compile("@RateLimited on Service.search()", "key", text);
    }

    /** What SpEL itself gives, in the context the starter evaluated keys in before. */
    private static Object spel(String text, Object[] arguments) {
        EvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().withInstanceMethods().build();
        String[][] names = { { "plan", "p0", "a0" }, { "request", "p1", "a1" }, { "value", "p2", "a2" } };
        for (int i = 0; i < names.length; i++) {
            for (String name : names[i]) {
                context.setVariable(name, arguments[i]);
            }
        }
        return new SpelExpressionParser().parseExpression(text).getValue(context);
    }

    /** The value, or the failure's type and message. */
    private static Object outcomeOf(java.util.function.Supplier<Object> evaluation) {
        try {
            return evaluation.get();
        }
        catch (RuntimeException ex) {
            return ex.getClass().getName() + ": " + ex.getMessage();
        }
    }

    private static String messageOf(Runnable evaluation) {
        try {
            evaluation.run();
        }
        catch (RuntimeException ex) {
            return ex.getMessage();
        }
        throw new AssertionError("expected a failure");
    }

    static class Service {

        public String search(String plan, Request request, Object value) {
            return "ok";
        }
    }

    /** Package-private, as records nested in applications often are. */
    record Request(String userId, Customer customer, Tier tier, Optional<String> nickname) {
    }

    static final class Customer {

        private final String id;

        private final boolean active;

        Customer(String id, boolean active) {
            this.id = id;
            this.active = active;
        }

        public String getId() {
            return id;
        }

        public boolean isActive() {
            return active;
        }

        public String getFailing() {
            throw new IllegalStateException("no such customer");
        }
    }

    public static final class Tier {

        public final String name;

        Tier(String name) {
            this.name = name;
        }
    }
}
