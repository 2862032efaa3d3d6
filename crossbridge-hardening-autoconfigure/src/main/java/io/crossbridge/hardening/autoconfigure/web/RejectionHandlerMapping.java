package io.crossbridge.hardening.autoconfigure.web;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;

/**
 * Fails the mapping of a request a URL rule rejected, when {@link RateLimitWebExceptionHandler}
 * dispatches it again for the application's {@code @ExceptionHandler}: WebFlux hands a failure
 * of the mapping to the {@code @ControllerAdvice} handlers, never one of a filter. Finds no
 * handler for any other request, first of all mappings, at no cost beyond one attribute lookup.
 */
final class RejectionHandlerMapping implements HandlerMapping, Ordered {

    /** Set on an exchange dispatched again for its rejection. */
    static final String REDISPATCHED = RejectionHandlerMapping.class.getName() + ".redispatched";

    @Override
    public Mono<Object> getHandler(ServerWebExchange exchange) {
        Object rejection = exchange.getAttribute(RateLimitWebFilter.REJECTION);
        if (rejection instanceof RuntimeException failure && exchange.getAttribute(REDISPATCHED) != null) {
            return Mono.error(failure);
        }
        return Mono.empty();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
