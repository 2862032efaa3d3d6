package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.expression.EvaluationContext;
import org.springframework.util.function.SingletonSupplier;

/**
 * Takes a {@code @RateLimited} method's tokens before it runs: a plain {@link MethodInterceptor}
 * (see BOOT4-NOTES for why not an {@code @Aspect}). Placed outside the retry interceptor, so one
 * call takes its tokens once however often it is retried.
 */
final class RateLimitedInterceptor implements MethodInterceptor {

    private static final Log logger = LogFactory.getLog(RateLimitedInterceptor.class);

    private final RateLimitedSpecs specs;

    /*
     * The beans below are each looked up at the first call and kept: a lookup per call would cost
     * more than the limiter, and at construction they may not exist yet, since this interceptor is
     * built with its post-processor, before the beans it needs.
     */
    private final SingletonSupplier<RateLimiter> limiter;

    /** Without a resolver bean (no servlet API) a call has no default key. */
    private final SingletonSupplier<RateLimitKeyResolver> keyResolver;

    private final SingletonSupplier<RateLimitObserver> observer;

    RateLimitedInterceptor(RateLimitedSpecs specs, ObjectProvider<RateLimiter> limiter,
            ObjectProvider<RateLimitKeyResolver> keyResolver, ObjectProvider<RateLimitObserver> observer) {
        this.specs = specs;
        this.limiter = SingletonSupplier.of(limiter::getObject);
        this.keyResolver = SingletonSupplier.of(() -> keyResolver.getIfAvailable(() -> (method, arguments) -> null));
        this.observer = SingletonSupplier.of(() -> observer.getIfAvailable(() -> RateLimitObserver.NONE));
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        RateLimitedSpec spec = specs.specFor(invocation);
        EvaluationContext context = spec.contextFor(invocation.getArguments());
        RateLimit limit = spec.limitFor(context);
        RateLimitObserver.Call observed = observer.get().start(spec.name(), limit.name());
        try {
            limiter.get().acquireOrThrow(keyOf(spec, context, invocation), limit, spec.tokens());
        }
        catch (RateLimitExceededException | MissingRateLimitKeyException ex) {
            // DEBUG only, so that a flood of rejected calls cannot flood the log; the message names
            // the key by its fingerprint, never the key itself.
            if (logger.isDebugEnabled()) {
                logger.debug("Rejected a call of " + spec.name() + ": " + ex.getMessage());
            }
            observed.rejected(ex);
            if (spec.async()) {
                return CompletableFuture.failedFuture(ex);
            }
            throw ex;
        }
        catch (RuntimeException | Error ex) {
            // No decision was made (a key expression failed): the call does not run, and its
            // observation ends here too, rather than stay open for good.
            observed.failed(ex);
            throw ex;
        }
        observed.allowed();
        Object result;
        try {
            result = invocation.proceed();
        }
        catch (Throwable ex) {
            observed.returned();
            observed.end(ex);
            throw ex;
        }
        observed.returned();
        if (observed != RateLimitObserver.Call.NONE && result instanceof CompletionStage<?> stage) {
            stage.whenComplete((value, failure) -> observed.end(AsyncFailures.unwrap(failure)));
        }
        else {
            observed.end(null);
        }
        return result;
    }

    private String keyOf(RateLimitedSpec spec, EvaluationContext context, MethodInvocation invocation) {
        if (spec.key() == null) {
            return keyResolver.get().resolveKey(invocation.getMethod(), invocation.getArguments());
        }
        Object key = spec.keyFor(context);
        return key == null ? null : RateLimitKeys.expression(key.toString());
    }
}
