package io.crossbridge.hardening.autoconfigure.web;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Decides whom a WebFlux request counts against under a URL rule that sets no {@code key}, and
 * under a reactive {@code @RateLimited} method that names none. The default is the authenticated
 * principal, else the client address (as {@code crossbridge.hardening.rate-limit.client-address}
 * says); declare a bean of this type to replace it.
 */
@FunctionalInterface
public interface ExchangeKeyResolver {

    /**
     * Returns the key of the request, or an empty {@code Mono} when it has none (a 400 then).
     * Called once per matching rule and once per subscription of such a method, with the
     * subscriber's Reactor context; it must not block.
     */
    Mono<String> resolveKey(ServerWebExchange exchange);
}
