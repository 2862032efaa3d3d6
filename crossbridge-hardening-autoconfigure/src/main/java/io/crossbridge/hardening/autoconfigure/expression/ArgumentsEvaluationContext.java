package io.crossbridge.hardening.autoconfigure.expression;

import java.util.List;
import java.util.Map;

import org.springframework.expression.BeanResolver;
import org.springframework.expression.ConstructorResolver;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.IndexAccessor;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.OperatorOverloader;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.TypeComparator;
import org.springframework.expression.TypeConverter;
import org.springframework.expression.TypeLocator;
import org.springframework.expression.TypedValue;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * The context of one SpEL evaluation of an annotation's key or limit expression: the read-only data
 * binding context (properties and methods of the arguments, no types, no constructors, no bean
 * references, no assignment), with the call's arguments as its variables, read from the argument
 * array rather than copied into a map per call. The accessors and resolvers are one shared set.
 */
final class ArgumentsEvaluationContext implements EvaluationContext {

    private static final EvaluationContext READ_ONLY = SimpleEvaluationContext.forReadOnlyDataBinding()
            .withInstanceMethods().build();

    private final Map<String, Integer> argumentIndexes;

    private final Object[] arguments;

    /**
     * @param argumentIndexes per variable name ({@code userId}, {@code p0}, {@code a0}), the index
     *                        of its argument
     */
    ArgumentsEvaluationContext(Map<String, Integer> argumentIndexes, Object[] arguments) {
        this.argumentIndexes = argumentIndexes;
        this.arguments = arguments;
    }

    @Override
    public Object lookupVariable(String name) {
        Integer index = argumentIndexes.get(name);
        return index == null ? null : arguments[index];
    }

    @Override
    public void setVariable(String name, Object value) {
        throw new UnsupportedOperationException("key and limit expressions are read-only");
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
