package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Applies the URL rules to a WebFlux request before it reaches its handler, without blocking:
 * each matching rule takes its tokens in order, through the store's asynchronous decision. A
 * rejection or a missing key fails the request with the exception, which
 * {@link RateLimitWebExceptionHandler} answers (or the application's own
 * {@code @ExceptionHandler}); the handler and the filters after this one do not run. Tokens
 * already taken by earlier rules of a rejected request are kept, as with any layered limit.
 * <p>
 * Ordered after Spring Security's filter chain (-100), so the principal is known.
 */
final class RateLimitWebFilter implements WebFilter, Ordered {

    /** After Spring Security's {@code WebFilterChainProxy}, at -100. */
    static final int ORDER = 0;

    /** The exchange attribute holding the rule's rejection, for the exception handler. */
    static final String REJECTION = RateLimitWebFilter.class.getName() + ".rejection";

    private final List<HttpRateLimitRule> rules;

    private final RateLimiter limiter;

    private final ExchangeKeyResolver keyResolver;

    private final boolean headersOnAllowed;

    RateLimitWebFilter(List<HttpRateLimitRule> rules, RateLimiter limiter, ExchangeKeyResolver keyResolver,
            boolean headersOnAllowed) {
        this.rules = List.copyOf(rules);
        this.limiter = limiter;
        this.keyResolver = keyResolver;
        this.headersOnAllowed = headersOnAllowed;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        // Matched without the principal: a request no rule applies to costs no lookup of it.
        ExchangeRuleRequest unresolved = new ExchangeRuleRequest(exchange.getRequest(), null);
        List<HttpRateLimitRule> matching = new ArrayList<>(1);
        for (HttpRateLimitRule rule : rules) {
            if (rule.matches(unresolved)) {
                matching.add(rule);
            }
        }
        if (matching.isEmpty()) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("")
                .map(name -> new ExchangeRuleRequest(exchange.getRequest(), name.isEmpty() ? null : name))
                .flatMapMany(request -> Flux.fromIterable(matching).concatMap(rule -> decide(exchange, request, rule)))
                .collectList()
                .flatMap(allowed -> {
                    if (headersOnAllowed) {
                        // One item per matching rule, as a Structured Field list; usually there is one.
                        HttpHeaders headers = exchange.getResponse().getHeaders();
                        headers.set(RateLimitHeaders.POLICY, String.join(", ", allowed.stream().map(Allowed::policy).toList()));
                        headers.set(RateLimitHeaders.RATE_LIMIT,
                                String.join(", ", allowed.stream().map(Allowed::remaining).toList()));
                    }
                    return chain.filter(exchange);
                });
    }

    private Mono<Allowed> decide(ServerWebExchange exchange, ExchangeRuleRequest request, HttpRateLimitRule rule) {
        RateLimit limit = rule.limitFor(request);
        Mono<String> key = rule.keyedByCaller() ? keyResolver.resolveKey(exchange)
                : Mono.justOrEmpty(rule.keyOf(request));
        return key.filter(value -> !value.isBlank())
                .switchIfEmpty(Mono.defer(() -> rejected(exchange,
                        new MissingRequestKeyException(limit.name(), rule.keyDescription()))))
                .flatMap(value -> Mono.fromCompletionStage(() -> limiter.acquireAsync(value, limit, rule.tokens()))
                        .onErrorMap(AsyncFailures::unwrap)
                        .flatMap(decision -> decision.allowed() ? Mono.just(allowed(rule, limit, decision))
                                : rejected(exchange, new RateLimitExceededException(value, limit, decision.retryAfter()))));
    }

    private static Allowed allowed(HttpRateLimitRule rule, RateLimit limit, RateLimitDecision decision) {
        return new Allowed(rule.policyHeader(limit),
                RateLimitHeaders.remaining(limit, decision.remaining(), decision.timeToFull()));
    }

    private static <T> Mono<T> rejected(ServerWebExchange exchange, RuntimeException rejection) {
        exchange.getAttributes().put(REJECTION, rejection);
        return Mono.error(rejection);
    }

    /** The header items of one rule that let the request through. */
    private record Allowed(String policy, String remaining) {
    }
}
