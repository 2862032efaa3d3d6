package io.crossbridge.hardening.autoconfigure.web;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Answers the starter's refusals in a WebFlux application (a rate-limit rejection with 429, a
 * missing key with 400, a full concurrency limit with 503 or 429) as the problems of
 * {@link RateLimitProblem}; ordered before Spring Boot's error handler,
 * which would answer 500. A rejection by a URL rule first goes to the application's
 * {@code @ControllerAdvice} when one declares an {@code @ExceptionHandler} for that exception
 * ({@link ApplicationExceptionHandlers}): the request is dispatched again, and its mapping fails
 * with the rejection ({@link RejectionHandlerMapping}), which is how WebFlux reaches those
 * handlers. A {@code @RateLimited} controller method's refusal has been through them already.
 */
final class RateLimitWebExceptionHandler implements WebExceptionHandler, Ordered {

    /** Before Spring Boot's {@code ErrorWebExceptionHandler}, at -1. */
    static final int ORDER = -2;

    private final ApplicationExceptionHandlers applicationHandlers;

    /** Looked up at the first rejection: the dispatcher collects handler mappings, this one among them. */
    private final SingletonSupplier<DispatcherHandler> dispatcher;

    RateLimitWebExceptionHandler(ApplicationExceptionHandlers applicationHandlers,
            ObjectProvider<DispatcherHandler> dispatcher) {
        this.applicationHandlers = applicationHandlers;
        this.dispatcher = SingletonSupplier.ofNullable(dispatcher::getIfAvailable);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        RateLimitProblem problem = RateLimitProblem.of(failure);
        if (problem == null || exchange.getResponse().isCommitted()) {
            return Mono.error(failure);
        }
        DispatcherHandler dispatcher = this.dispatcher.get();
        if (dispatcher != null && exchange.getAttribute(RateLimitWebFilter.REJECTION) == failure
                && exchange.getAttribute(RejectionHandlerMapping.REDISPATCHED) == null
                && applicationHandlers.answer(null, (Exception) failure, RateLimitProblem.refusalType(failure))) {
            exchange.getAttributes().put(RejectionHandlerMapping.REDISPATCHED, Boolean.TRUE);
            return dispatcher.handle(exchange).onErrorResume(again -> again == failure, again -> write(exchange, problem));
        }
        return write(exchange, problem);
    }

    private static Mono<Void> write(ServerWebExchange exchange, RateLimitProblem problem) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
        HttpHeaders headers = response.getHeaders();
        // Headers an allowed rule set before a later one rejected are replaced, not added to.
        headers.remove(RateLimitHeaders.POLICY);
        headers.remove(RateLimitHeaders.RATE_LIMIT);
        problem.headers().forEach(headers::set);
        headers.set(HttpHeaders.CONTENT_TYPE, RateLimitProblem.CONTENT_TYPE);
        headers.setContentLength(problem.body().length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(problem.body())));
    }
}
