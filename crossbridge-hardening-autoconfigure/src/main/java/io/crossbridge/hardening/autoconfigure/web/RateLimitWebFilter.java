package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        List<HttpRateLimitRule> matching = null;
        boolean needsPrincipal = false;
        for (HttpRateLimitRule rule : rules) {
            if (rule.matches(unresolved)) {
                matching = matching == null ? new ArrayList<>(1) : matching;
                matching.add(rule);
                needsPrincipal |= rule.needsPrincipal();
            }
        }
        if (matching == null) {
            return chain.filter(exchange);
        }
        Decisions decisions = new Decisions(exchange, chain, matching);
        if (!needsPrincipal) {
            return decisions.from(0, unresolved);
        }
        return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("").flatMap(name -> decisions.from(0,
                new ExchangeRuleRequest(exchange.getRequest(), name.isEmpty() ? null : name)));
    }

    /**
     * The decisions of one request, rule after rule: made on the calling thread while the store
     * answers at once (in memory) and the key is known, so that such a request costs no reactive
     * operator; continued when the answer comes otherwise (Redis, a key resolver of the
     * application's).
     */
    private final class Decisions {

        private final ServerWebExchange exchange;

        private final WebFilterChain chain;

        private final List<HttpRateLimitRule> rules;

        private String policies;

        private String remaining;

        Decisions(ServerWebExchange exchange, WebFilterChain chain, List<HttpRateLimitRule> rules) {
            this.exchange = exchange;
            this.chain = chain;
            this.rules = rules;
        }

        Mono<Void> from(int index, ExchangeRuleRequest request) {
            for (int i = index; i < rules.size(); i++) {
                HttpRateLimitRule rule = rules.get(i);
                RateLimit limit = rule.limitFor(request);
                String key;
                if (!rule.keyedByCaller()) {
                    key = rule.keyOf(request);
                }
                else if (keyResolver instanceof CallerKeyResolver caller) {
                    key = caller.keyOf(request);
                }
                else {
                    int next = i + 1;
                    return keyResolver.resolveKey(exchange).filter(value -> !value.isBlank())
                            .switchIfEmpty(Mono.defer(() -> rejected(new MissingRequestKeyException(limit.name(),
                                    rule.keyDescription()))))
                            .flatMap(resolved -> decided(rule, limit, resolved, limiter.acquireAsync(resolved, limit,
                                    rule.tokens()).toCompletableFuture(), next, request));
                }
                if (key == null) {
                    return rejected(new MissingRequestKeyException(limit.name(), rule.keyDescription()));
                }
                CompletableFuture<RateLimitDecision> decision = limiter.acquireAsync(key, limit, rule.tokens())
                        .toCompletableFuture();
                if (!decision.isDone()) {
                    return decided(rule, limit, key, decision, i + 1, request);
                }
                RateLimitDecision made;
                try {
                    made = decision.join();
                }
                catch (CompletionException ex) {
                    return Mono.error(AsyncFailures.unwrap(ex));
                }
                if (!made.allowed()) {
                    return rejected(new RateLimitExceededException(key, limit, made.retryAfter()));
                }
                allowed(rule, limit, made);
            }
            if (policies != null) {
                HttpHeaders headers = exchange.getResponse().getHeaders();
                headers.set(RateLimitHeaders.POLICY, policies);
                headers.set(RateLimitHeaders.RATE_LIMIT, remaining);
            }
            return chain.filter(exchange);
        }

        /** Goes on once the store has answered. */
        private Mono<Void> decided(HttpRateLimitRule rule, RateLimit limit, String key,
                CompletableFuture<RateLimitDecision> decision, int next, ExchangeRuleRequest request) {
            // Continued on one of Reactor's parallel threads: the store's own (Lettuce's I/O thread,
            // Jedis's pool) must not run the rest of the request.
            return Mono.fromFuture(decision, true).onErrorMap(AsyncFailures::unwrap).publishOn(Schedulers.parallel())
                    .flatMap(made -> {
                if (!made.allowed()) {
                    return rejected(new RateLimitExceededException(key, limit, made.retryAfter()));
                }
                allowed(rule, limit, made);
                return from(next, request);
            });
        }

        private void allowed(HttpRateLimitRule rule, RateLimit limit, RateLimitDecision decision) {
            if (!headersOnAllowed) {
                return;
            }
            // One item per matching rule, as a Structured Field list; usually there is one.
            String policy = rule.policyHeader(limit);
            String left = rule.remainingHeader(limit, decision);
            policies = policies == null ? policy : policies + ", " + policy;
            remaining = remaining == null ? left : remaining + ", " + left;
        }

        private <T> Mono<T> rejected(RuntimeException rejection) {
            exchange.getAttributes().put(REJECTION, rejection);
            return Mono.error(rejection);
        }
    }
}
