package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.MethodSettings;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.lang.reflect.Method;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * The {@link RateLimitedSpec} of each annotated method, resolved once per method (at startup for
 * singletons) and cached.
 */
final class RateLimitedSpecs {

    private final SpelExpressionParser parser = new SpelExpressionParser();

    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

    private final ObjectProvider<RateLimitCatalog> catalog;

    private final MethodSettings<RateLimitedSpec> specs = new MethodSettings<>(this::resolve);

    RateLimitedSpecs(ObjectProvider<RateLimitCatalog> catalog) {
        this.catalog = catalog;
    }

    /**
     * Returns the spec for {@code method} called on {@code targetClass}.
     *
     * @throws IllegalStateException naming the method when the annotation cannot be resolved
     */
    RateLimitedSpec specFor(Method method, Class<?> targetClass) {
        return specs.get(method, targetClass);
    }

    static RateLimited annotationOf(Method method, Class<?> targetClass) {
        RateLimited annotation = AnnotatedElementUtils.findMergedAnnotation(method, RateLimited.class);
        return annotation != null ? annotation : AnnotatedElementUtils.findMergedAnnotation(targetClass, RateLimited.class);
    }

    private RateLimitedSpec resolve(Method method, Class<?> targetClass) {
        RateLimited annotation = annotationOf(method, targetClass);
        String where = "@RateLimited on " + targetClass.getName() + "." + method.getName() + "()";
        if (annotation == null) {
            throw new IllegalStateException(where + " is missing");
        }
        RateLimitCatalog limits = catalog.getIfAvailable();
        if (limits == null) {
            throw new IllegalStateException(where + " needs rate limiting enabled (crossbridge.hardening.rate-limit.enabled)");
        }
        RateLimit limit = limits.find(annotation.limit()).orElseThrow(() -> new IllegalStateException(where
                + " names rate limit '" + annotation.limit() + "', which does not exist; configured: " + limits.names()));
        if (annotation.tokens() < 1 || annotation.tokens() > limit.capacity()) {
            throw new IllegalStateException(where + " takes " + annotation.tokens() + " tokens; it must take from 1 to "
                    + "the capacity of rate limit '" + limit.name() + "' (" + limit.capacity() + ")");
        }
        return new RateLimitedSpec(targetClass.getSimpleName() + "." + method.getName(), limit, parse(where, annotation.key()), variables(method), annotation.tokens());
    }

    private String[][] variables(Method method) {
        String[] parameterNames = this.parameterNames.getParameterNames(method);
        String[][] variables = new String[method.getParameterCount()][];
        for (int i = 0; i < variables.length; i++) {
            variables[i] = parameterNames != null ? new String[] { parameterNames[i], "p" + i, "a" + i }
                    : new String[] { "p" + i, "a" + i };
        }
        return variables;
    }

    private Expression parse(String where, String key) {
        if (key.isBlank()) {
            return null;
        }
        try {
            return parser.parseExpression(key);
        }
        catch (ParseException ex) {
            throw new IllegalStateException(where + " has a key expression that does not parse: \"" + key + "\" ("
                    + ex.getMessage() + ")", ex);
        }
    }
}
