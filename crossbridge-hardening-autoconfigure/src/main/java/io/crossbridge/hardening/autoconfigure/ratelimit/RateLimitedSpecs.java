package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.MethodSettings;
import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.autoconfigure.expression.ArgumentExpression;
import io.crossbridge.hardening.autoconfigure.expression.ArgumentExpressions;
import io.crossbridge.hardening.ratelimit.RateLimit;

import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.beans.factory.ObjectProvider;

/**
 * The {@link RateLimitedSpec} of each annotated method, resolved once per method (at startup for
 * singletons) and cached.
 */
final class RateLimitedSpecs {

    private final ObjectProvider<RateLimitCatalog> catalog;

    private final MethodSettings<RateLimited, RateLimitedSpec> specs = new MethodSettings<>(RateLimited.class,
            this::resolve);

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

    RateLimitedSpec specFor(MethodInvocation invocation) {
        return specs.get(invocation);
    }

    private RateLimitedSpec resolve(Method method, Class<?> targetClass, RateLimited annotation, String where) {
        RateLimitCatalog limits = catalog.getIfAvailable();
        if (limits == null) {
            throw new IllegalStateException(where + " needs rate limiting enabled (crossbridge.hardening.rate-limit.enabled)");
        }
        String name = targetClass.getSimpleName() + "." + method.getName();
        CallShape shape = CallShape.of(method, where);
        ArgumentExpressions expressions = ArgumentExpressions.of(method);
        ArgumentExpression key = expressions.compile(where, "key", annotation.key());
        if (annotation.limit().startsWith("#")) {
            // A plan: the limit is chosen per call, so its name and capacity are checked then.
            return new RateLimitedSpec(name, null, expressions.compile(where, "limit", annotation.limit()), limits, key,
                    checkTokens(where, annotation.tokens(), null), shape);
        }
        RateLimit limit = limits.find(annotation.limit()).orElseThrow(() -> new IllegalStateException(where
                + " names rate limit '" + annotation.limit() + "', which does not exist; configured: " + limits.names()));
        return new RateLimitedSpec(name, limit, null, limits, key, checkTokens(where, annotation.tokens(), limit), shape);
    }

    private static int checkTokens(String where, int tokens, RateLimit limit) {
        if (tokens < 1 || (limit != null && tokens > limit.capacity())) {
            throw new IllegalStateException(where + " takes " + tokens + " tokens; it must take from 1 to "
                    + (limit == null ? "the capacity of its limit" : "the capacity of rate limit '" + limit.name() + "' ("
                            + limit.capacity() + ")"));
        }
        return tokens;
    }
}
