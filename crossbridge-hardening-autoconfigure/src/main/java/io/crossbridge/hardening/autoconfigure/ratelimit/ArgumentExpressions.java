package io.crossbridge.hardening.autoconfigure.ratelimit;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.expression.BeanResolver;
import org.springframework.expression.ConstructorResolver;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.IndexAccessor;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.OperatorOverloader;
import org.springframework.expression.ParseException;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.TypeComparator;
import org.springframework.expression.TypeConverter;
import org.springframework.expression.TypeLocator;
import org.springframework.expression.TypedValue;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.CompoundExpression;
import org.springframework.expression.spel.ast.Literal;
import org.springframework.expression.spel.ast.PropertyOrFieldReference;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Turns the text of one method's key or limit expression into an {@link ArgumentExpression}, at
 * startup: SpEL parses it, and where its tree is a literal, a variable naming an argument, or such
 * a variable followed by property reads that resolve on the declared types, the call reads the
 * value directly; a SpEL evaluation costs more than the limiter's decision. A variable that names
 * no argument stops startup: in the read-only context it could only ever be {@code null}.
 */
final class ArgumentExpressions {

    private static final MethodType READER = MethodType.methodType(Object.class, Object.class);

    /** The read-only context's accessors and resolvers, shared by every call; it holds no variables. */
    private static final EvaluationContext READ_ONLY = SimpleEvaluationContext.forReadOnlyDataBinding()
            .withInstanceMethods().build();

    private final Method method;

    private final Map<String, Integer> argumentIndexes = new HashMap<>();

    private final SpelExpressionParser parser;

    /**
     * @param variables per argument index, its names ({@code userId}, {@code p0}, {@code a0})
     */
    ArgumentExpressions(Method method, String[][] variables) {
        this.method = method;
        for (int i = 0; i < variables.length; i++) {
            for (String variable : variables[i]) {
                this.argumentIndexes.put(variable, i);
            }
        }
        this.parser = new SpelExpressionParser(new SpelParserConfiguration(SpelCompilerMode.MIXED,
                method.getDeclaringClass().getClassLoader()));
    }

    /**
     * Returns the expression of {@code text}, or {@code null} for a blank one.
     *
     * @param where     names the annotation and the method, for messages
     * @param attribute the annotation's attribute, for messages
     * @throws IllegalStateException when the text does not parse or names no argument
     */
    ArgumentExpression compile(String where, String attribute, String text) {
        if (text.isBlank()) {
            return null;
        }
        SpelExpression expression;
        try {
            expression = (SpelExpression) this.parser.parseExpression(text);
        }
        catch (ParseException ex) {
            throw new IllegalStateException(where + " has a " + attribute + " expression that does not parse: \"" + text
                    + "\" (" + ex.getMessage() + ")", ex);
        }
        checkVariables(where, attribute, text, expression.getAST());
        ArgumentExpression direct = direct(text, expression.getAST());
        return direct != null ? direct : new ArgumentExpression.Spel(expression, ArgumentsContext::new);
    }

    private void checkVariables(String where, String attribute, String text, SpelNode node) {
        if (node instanceof VariableReference) {
            String name = variableName(node);
            if (!name.equals("this") && !name.equals("root") && !this.argumentIndexes.containsKey(name)) {
                throw new IllegalStateException(where + " has a " + attribute + " expression \"" + text + "\" that reads #"
                        + name + ", which is not one of its arguments; it can read " + argumentNames()
                        + " (parameter names need the compiler's -parameters flag)");
            }
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            checkVariables(where, attribute, text, node.getChild(i));
        }
    }

    /** The shapes read without SpEL, or {@code null} for SpEL. */
    private ArgumentExpression direct(String text, SpelNode node) {
        if (node instanceof Literal literal) {
            return new ArgumentExpression.Constant(text, literal.getLiteralValue().getValue());
        }
        if (node instanceof VariableReference) {
            Integer index = this.argumentIndexes.get(variableName(node));
            return index == null ? null : new ArgumentExpression.Argument(text, index);
        }
        if (node instanceof CompoundExpression && node.getChild(0) instanceof VariableReference variable) {
            Integer index = this.argumentIndexes.get(variableName(variable));
            return index == null ? null : propertyChain(text, index, node);
        }
        return null;
    }

    private ArgumentExpression propertyChain(String text, int index, SpelNode compound) {
        int steps = compound.getChildCount() - 1;
        String[] names = new String[steps];
        MethodHandle[] readers = new MethodHandle[steps];
        boolean[] nullSafe = new boolean[steps];
        Class<?> type = this.method.getParameterTypes()[index];
        for (int i = 0; i < steps; i++) {
            if (!(compound.getChild(i + 1) instanceof PropertyOrFieldReference property)) {
                return null;
            }
            Member member = readableMember(type, property.getName());
            MethodHandle reader = member == null ? null : reader(member);
            if (reader == null) {
                return null;
            }
            names[i] = property.getName();
            readers[i] = reader;
            nullSafe[i] = property.isNullSafe();
            type = member instanceof Method getter ? getter.getReturnType() : ((Field) member).getType();
        }
        return new ArgumentExpression.PropertyChain(text, index, names, readers, nullSafe);
    }

    /**
     * The member SpEL's read-only data binding reads {@code name} through on {@code type}: a
     * public getter ({@code getName}, {@code isName}), a record-style accessor ({@code name()}),
     * else a public field; {@code null} when there is none.
     */
    private static Member readableMember(Class<?> type, String name) {
        String capitalized = StringUtils.capitalize(name);
        for (String candidate : new String[] { "get" + capitalized, "is" + capitalized, name }) {
            Method getter = ReflectionUtils.findMethod(type, candidate);
            if (getter != null && Modifier.isPublic(getter.getModifiers()) && !Modifier.isStatic(getter.getModifiers())
                    && getter.getReturnType() != void.class
                    && (!candidate.startsWith("is") || candidate.equals(name) || getter.getReturnType() == boolean.class
                            || getter.getReturnType() == Boolean.class)) {
                return getter;
            }
        }
        Field field = ReflectionUtils.findField(type, name);
        return field != null && Modifier.isPublic(field.getModifiers()) && !Modifier.isStatic(field.getModifiers()) ? field
                : null;
    }

    /** A handle reading {@code member} as an {@code Object}, or {@code null} where access is refused. */
    private static MethodHandle reader(Member member) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle handle;
            if (member instanceof Method getter) {
                // A public method of a class that is not public (a nested record) needs this.
                ReflectionUtils.makeAccessible(getter);
                handle = lookup.unreflect(getter);
            }
            else {
                ReflectionUtils.makeAccessible((Field) member);
                handle = lookup.unreflectGetter((Field) member);
            }
            return handle.asType(READER);
        }
        catch (IllegalAccessException | RuntimeException ex) {
            return null;
        }
    }

    private static String variableName(SpelNode variable) {
        return variable.toStringAST().substring(1);
    }

    private List<String> argumentNames() {
        List<String> names = new ArrayList<>(this.argumentIndexes.keySet());
        names.sort(null);
        return names.stream().map(name -> "#" + name).toList();
    }

    /**
     * The context of one SpEL evaluation: the shared read-only context, with the call's arguments
     * as its variables, read from the argument array rather than copied into a map per call.
     */
    private final class ArgumentsContext implements EvaluationContext {

        private final Object[] arguments;

        ArgumentsContext(Object[] arguments) {
            this.arguments = arguments;
        }

        @Override
        public Object lookupVariable(String name) {
            Integer index = argumentIndexes.get(name);
            return index == null || index >= this.arguments.length ? null : this.arguments[index];
        }

        @Override
        public void setVariable(String name, Object value) {
            throw new UnsupportedOperationException("@RateLimited expressions are read-only");
        }

        @Override
        public boolean isAssignmentEnabled() {
            return false;
        }

        @Override
        public TypedValue getRootObject() {
            return READ_ONLY.getRootObject();
        }

        @Override
        public List<PropertyAccessor> getPropertyAccessors() {
            return READ_ONLY.getPropertyAccessors();
        }

        @Override
        public List<IndexAccessor> getIndexAccessors() {
            return READ_ONLY.getIndexAccessors();
        }

        @Override
        public List<ConstructorResolver> getConstructorResolvers() {
            return READ_ONLY.getConstructorResolvers();
        }

        @Override
        public List<MethodResolver> getMethodResolvers() {
            return READ_ONLY.getMethodResolvers();
        }

        @Override
        public BeanResolver getBeanResolver() {
            return READ_ONLY.getBeanResolver();
        }

        @Override
        public TypeLocator getTypeLocator() {
            return READ_ONLY.getTypeLocator();
        }

        @Override
        public TypeConverter getTypeConverter() {
            return READ_ONLY.getTypeConverter();
        }

        @Override
        public TypeComparator getTypeComparator() {
            return READ_ONLY.getTypeComparator();
        }

        @Override
        public OperatorOverloader getOperatorOverloader() {
            return READ_ONLY.getOperatorOverloader();
        }
    }
}
