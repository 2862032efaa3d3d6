package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.autoconfigure.MethodSettings;
import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.autoconfigure.expression.ArgumentExpression;
import io.crossbridge.hardening.autoconfigure.expression.ArgumentExpressions;

import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.beans.factory.ObjectProvider;

/**
 * The {@link LimitedMethod} of each {@code @ConcurrencyLimited} method, resolved once per method
 * (at startup for singletons) and cached. An unknown limit, a key expression that does not parse,
 * or a key on an adaptive limit is an {@link IllegalStateException} naming the method.
 */
final class LimitedMethods {

    private final ObjectProvider<ConcurrencyLimitCatalog> catalog;

    private final ObjectProvider<ConcurrencyCalls.Factory> calls;

    private final ObjectProvider<OverloadSignals> signals;

    private final MethodSettings<ConcurrencyLimited, LimitedMethod> methods = new MethodSettings<>(
            ConcurrencyLimited.class, this::resolve);

    LimitedMethods(ObjectProvider<ConcurrencyLimitCatalog> catalog, ObjectProvider<ConcurrencyCalls.Factory> calls,
            ObjectProvider<OverloadSignals> signals) {
        this.catalog = catalog;
        this.calls = calls;
        this.signals = signals;
    }

    LimitedMethod methodFor(Method method, Class<?> targetClass) {
        return methods.get(method, targetClass);
    }

    LimitedMethod methodFor(MethodInvocation invocation) {
        return methods.get(invocation);
    }

    private LimitedMethod resolve(Method method, Class<?> targetClass, ConcurrencyLimited annotation, String where) {
        ConcurrencyLimitCatalog limits = catalog.getIfAvailable();
        if (limits == null) {
            throw new IllegalStateException(where + " needs concurrency limits enabled (crossbridge.hardening.concurrency.enabled)");
        }
        NamedConcurrencyLimit limit = limits.find(annotation.name()).orElseThrow(() -> new IllegalStateException(where
                + " names concurrency limit '" + annotation.name() + "', which is not configured under "
                + "crossbridge.hardening.concurrency.limits; configured: " + limits.names()));
        ArgumentExpression key = ArgumentExpressions.of(method).compile(where, "key", annotation.key());
        if (key != null && limit.settings().isAdaptive()) {
            // An adaptive limit learns one provider's capacity; per key there is no capacity to learn.
            throw new IllegalStateException(where + " limits each key, but concurrency limit '" + limit.name()
                    + "' is adaptive; a limit per key is fixed (max-concurrent per key): use a limit that is not adaptive");
        }
        return new LimitedMethod(limit, key, where, calls.getIfAvailable(() -> name -> ConcurrencyCalls.NONE)
                .forLimit(limit.name()), signals.getObject(), limits.timer(), limits.granted(), CallShape.of(method, where));
    }
}
