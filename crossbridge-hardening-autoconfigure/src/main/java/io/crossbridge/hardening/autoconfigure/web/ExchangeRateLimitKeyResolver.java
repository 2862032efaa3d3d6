package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.call.CallContext;
import io.crossbridge.hardening.autoconfigure.call.SubscriberContext;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitKeyResolver;
import reactor.core.publisher.Mono;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.springframework.web.filter.reactive.ServerWebExchangeContextFilter;
import org.springframework.web.server.ServerWebExchange;

/**
 * The default key of a {@code @RateLimited} call with no key expression, on WebFlux: the
 * {@link ExchangeKeyResolver}'s key (the principal, else the client address) of the exchange a
 * reactive call serves, which {@link ServerWebExchangeContextFilter} keeps in the subscriber's
 * context. A blocking or {@code CompletionStage} call has none: WebFlux binds no request to a
 * thread.
 */
final class ExchangeRateLimitKeyResolver implements RateLimitKeyResolver {

    private final ExchangeKeyResolver keys;

    ExchangeRateLimitKeyResolver(ExchangeKeyResolver keys) {
        this.keys = keys;
    }

    @Override
    public String resolveKey(Method method, Object[] arguments) {
        return null;
    }

    @Override
    public CompletionStage<String> resolveKeyWithoutBlocking(Method method, Object[] arguments, CallContext context) {
        if (!(context.get(ServerWebExchangeContextFilter.EXCHANGE_CONTEXT_ATTRIBUTE) instanceof ServerWebExchange exchange)) {
            return CompletableFuture.completedFuture(null);
        }
        Mono<String> key = keys.resolveKey(exchange);
        if (context instanceof SubscriberContext subscriber) {
            // The principal of a secured exchange is read from the Reactor context (Spring
            // Security keeps its security context there): resolved in the subscriber's.
            key = key.contextWrite(subscriber.view());
        }
        return key.toFuture();
    }
}
