package io.crossbridge.hardening.autoconfigure.expression;

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
import java.util.Optional;

import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.CompoundExpression;
import org.springframework.expression.spel.ast.Literal;
import org.springframework.expression.spel.ast.PropertyOrFieldReference;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Turns the text of one method's key or limit expression into an {@link ArgumentExpression}, at
 * startup: SpEL parses it, and where its tree is a literal, a variable naming an argument, or such
 * a variable followed by property reads that resolve on the declared types, the call reads the
 * value directly; a SpEL evaluation costs more than the limiter's decision. A variable that names
 * no argument stops startup: in the read-only context it could only ever be {@code null}. The
 * members are resolved on the declared types, where SpEL looks at each call's own classes: the
 * same member wherever the declared type has one, which is the only case read directly.
 */
public final class ArgumentExpressions {

    private static final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

    private static final MethodType READER = MethodType.methodType(Object.class, Object.class);

    private final Method method;

    private final Map<String, Integer> argumentIndexes = new HashMap<>();

    /** Whether the parameters' names are known, rather than only {@code p0} and {@code a0}. */
    private final boolean namesKnown;

    /**
     * Spring's defaults: interpreted, unless the application turns the compiler on (the
     * {@code spring.expression.compiler.mode} system property, or {@code spring.properties}).
     * Compiling by default would recompile for ever where an argument's class changes from call
     * to call (compiled code casts to the class it saw), and the shapes most keys have need no
     * SpEL anyway.
     */
    private final SpelExpressionParser parser = new SpelExpressionParser();

    /**
     * @param variables per argument index, its names ({@code userId}, {@code p0}, {@code a0})
     */
    ArgumentExpressions(Method method, String[][] variables) {
        this.method = method;
        this.namesKnown = variables.length == 0 || variables[0].length > 2;
        for (int i = 0; i < variables.length; i++) {
            for (String variable : variables[i]) {
                this.argumentIndexes.put(variable, i);
            }
        }
    }

    /**
     * Returns the expressions over {@code method}'s arguments, each known by its parameter name
     * (where the class was compiled with {@code -parameters}), {@code p0} and {@code a0}.
     */
    public static ArgumentExpressions of(Method method) {
        String[] names = parameterNames.getParameterNames(method);
        String[][] variables = new String[method.getParameterCount()][];
        for (int i = 0; i < variables.length; i++) {
            variables[i] = names != null ? new String[] { names[i], "p" + i, "a" + i } : new String[] { "p" + i, "a" + i };
        }
        return new ArgumentExpressions(method, variables);
    }

    /**
     * Returns the expression of {@code text}, or {@code null} for a blank one.
     *
     * @param where     names the annotation and the method, for messages
     * @param attribute the annotation's attribute, for messages
     * @throws IllegalStateException when the text does not parse or names no argument
     */
    public ArgumentExpression compile(String where, String attribute, String text) {
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
        return direct != null ? direct : new ArgumentExpression.Spel(expression, argumentIndexes);
    }

    private void checkVariables(String where, String attribute, String text, SpelNode node) {
        if (node instanceof VariableReference) {
            String name = variableName(node);
            if (!name.equals("this") && !name.equals("root") && !this.argumentIndexes.containsKey(name)) {
                throw new IllegalStateException(where + " has a " + attribute + " expression \"" + text + "\" that reads #"
                        + name + ", which is not one of its arguments; it can read " + argumentNames()
                        + (namesKnown ? "" : " (parameter names need the compiler's -parameters flag)"));
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
            Member member = readsLikeDataBinding(type) ? readableMember(type, property.getName()) : null;
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
     * Whether SpEL's read-only data binding reads properties of {@code type} the plain way: it
     * refuses {@code Class} and {@code ClassLoader} targets, and unwraps an {@code Optional} on a
     * null-safe step, so those stay SpEL.
     */
    private static boolean readsLikeDataBinding(Class<?> type) {
        // Also a declared type that a Class may be (Type, AnnotatedElement): the call's may be one.
        return !type.isAssignableFrom(Class.class) && !Class.class.isAssignableFrom(type)
                && !ClassLoader.class.isAssignableFrom(type) && !Optional.class.isAssignableFrom(type);
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
            getter = getter == null ? null : BridgeMethodResolver.findBridgedMethod(getter);
            // Never Object's or Class's members (getClass, hashCode), which data binding refuses too.
            if (getter != null && !isObjectOrClassMember(getter) && Modifier.isPublic(getter.getModifiers())
                    && !Modifier.isStatic(getter.getModifiers()) && getter.getReturnType() != void.class
                    && (!candidate.startsWith("is") || candidate.equals(name) || getter.getReturnType() == boolean.class
                            || getter.getReturnType() == Boolean.class)) {
                return getter;
            }
        }
        Field field = ReflectionUtils.findField(type, name);
        return field != null && Modifier.isPublic(field.getModifiers()) && !Modifier.isStatic(field.getModifiers()) ? field
                : null;
    }

    private static boolean isObjectOrClassMember(Method method) {
        return method.getDeclaringClass() == Object.class || method.getDeclaringClass() == Class.class;
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
}
