package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.autoconfigure.call.CallContext;
import io.crossbridge.hardening.autoconfigure.call.CallGuard;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * Takes a {@code @RateLimited} method's tokens before it runs: a plain {@link MethodInterceptor}
 * (see BOOT4-NOTES for why not an {@code @Aspect}). Placed outside the retry interceptor, so one
 * call takes its tokens once however often it is retried. The method's
 * {@link io.crossbridge.hardening.autoconfigure.call.CallShape} decides how a refusal reaches the
 * caller: thrown, as a failed future, or as the error signal of each subscription, which decides
 * without blocking (on the Redis store, through the driver's asynchronous API).
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

    /** Without a resolver bean (neither the servlet API nor WebFlux) a call has no default key. */
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
        return spec.shape().guard(invocation, new Decision(spec, invocation));
    }

    /** The limiter's policy for one call of one method. */
    private final class Decision implements CallGuard<RateLimitObserver.Call> {

        private final RateLimitedSpec spec;

        private final MethodInvocation invocation;

        Decision(RateLimitedSpec spec, MethodInvocation invocation) {
            this.spec = spec;
            this.invocation = invocation;
        }

        @Override
        public RateLimitObserver.Call enter() {
            Object[] arguments = invocation.getArguments();
            RateLimit limit = spec.limitFor(arguments);
            RateLimitObserver.Call observed = observer.get().start(spec.name(), limit.name(), null);
            try {
                limiter.get().acquireOrThrow(keyOf(arguments), limit, spec.tokens());
            }
            catch (RuntimeException | Error ex) {
                refusedOrFailed(observed, ex);
                throw ex;
            }
            observed.allowed();
            return observed;
        }

        @Override
        public CompletionStage<RateLimitObserver.Call> enterWithoutBlocking(CallContext context) {
            RateLimitObserver.Call observed = RateLimitObserver.Call.NONE;
            try {
                Object[] arguments = invocation.getArguments();
                RateLimit limit = spec.limitFor(arguments);
                observed = observer.get().start(spec.name(), limit.name(), context.get(CallContext.OBSERVATION));
                RateLimitObserver.Call call = observed;
                if (spec.key() == null) {
                    return keyResolver.get().resolveKeyWithoutBlocking(invocation.getMethod(), arguments,
                            context).handle((key, failure) -> failure == null ? decided(call, key, limit)
                                    : notDecided(call, AsyncFailures.unwrap(failure)))
                            .thenCompose(Function.identity());
                }
                return decided(call, keyOf(arguments), limit);
            }
            catch (RuntimeException | Error ex) {
                refusedOrFailed(observed, ex);
                return CompletableFuture.failedFuture(ex);
            }
        }

        /** No decision could be made (the key's resolution failed): the call does not run. */
        private CompletionStage<RateLimitObserver.Call> notDecided(RateLimitObserver.Call call, Throwable failure) {
            refusedOrFailed(call, failure);
            return CompletableFuture.failedFuture(failure);
        }

        /** The limiter's decision on {@code key}, made without blocking, as the call's entry or its refusal. */
        private CompletionStage<RateLimitObserver.Call> decided(RateLimitObserver.Call call, String key, RateLimit limit) {
            CompletionStage<RateLimitDecision> decision;
            try {
                decision = limiter.get().acquireAsync(key, limit, spec.tokens());
            }
            catch (RuntimeException | Error ex) {
                return notDecided(call, ex);
            }
            return decision.handle((made, failure) -> {
                RuntimeException refusal = failure != null ? asRuntime(AsyncFailures.unwrap(failure))
                        : made.allowed() ? null : new RateLimitExceededException(key, limit, made.retryAfter());
                if (refusal != null) {
                    refusedOrFailed(call, refusal);
                    throw new CompletionException(refusal);
                }
                call.allowed();
                return call;
            });
        }

        @Override
        public Object observation(RateLimitObserver.Call observed) {
            return observed.observation();
        }

        @Override
        public void running(RateLimitObserver.Call observed) {
            observed.running();
        }

        @Override
        public void returned(RateLimitObserver.Call observed) {
            observed.returned();
        }

        @Override
        public void succeeded(RateLimitObserver.Call observed) {
            observed.end(null);
        }

        @Override
        public Object failed(RateLimitObserver.Call observed, Throwable failure) throws Throwable {
            observed.end(failure);
            throw failure;
        }

        @Override
        public void cancelled(RateLimitObserver.Call observed) {
            observed.cancelled();
        }

        /** Ends the observation of a call that does not run because of {@code ex}. */
        private void refusedOrFailed(RateLimitObserver.Call observed, Throwable ex) {
            if (ex instanceof RateLimitExceededException || ex instanceof MissingRateLimitKeyException) {
                // DEBUG only, so that a flood of rejected calls cannot flood the log; the message names
                // the key by its fingerprint, never the key itself.
                if (logger.isDebugEnabled()) {
                    logger.debug("Rejected a call of " + spec.name() + ": " + ex.getMessage());
                }
                observed.rejected((RuntimeException) ex);
            }
            else {
                // No decision was made (a key expression failed): the call does not run, and its
                // observation ends here too, rather than stay open for good.
                observed.failed(ex);
            }
        }

        private String keyOf(Object[] arguments) {
            if (spec.key() == null) {
                return keyResolver.get().resolveKey(invocation.getMethod(), arguments);
            }
            Object key = spec.keyFor(arguments);
            return key == null ? null : RateLimitKeys.expression(key.toString());
        }
    }

    private static RuntimeException asRuntime(Throwable failure) {
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }
}
