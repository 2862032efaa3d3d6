package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.util.List;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Applies the URL rules before a request reaches its controller. Each matching rule takes its
 * tokens, in order; a rejection or a missing key is thrown, so that Spring MVC's exception
 * handling answers it: {@link RateLimitExceptionResolver} by default, or the application's own
 * {@code @ExceptionHandler}. Tokens already taken by earlier rules of a rejected request are kept,
 * as with any layered limit.
 * <p>
 * A request decides once, on its first dispatch: Spring MVC calls interceptors again when an
 * asynchronous controller's result is dispatched, and on the error dispatch of a failed request,
 * which must not take the request's tokens a second time.
 */
final class RateLimitHandlerInterceptor implements HandlerInterceptor {

    private final List<HttpRateLimitRule> rules;

    private final RateLimiter limiter;

    private final boolean headersOnAllowed;

    RateLimitHandlerInterceptor(List<HttpRateLimitRule> rules, RateLimiter limiter, boolean headersOnAllowed) {
        this.rules = List.copyOf(rules);
        this.limiter = limiter;
        this.headersOnAllowed = headersOnAllowed;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getDispatcherType() != DispatcherType.REQUEST) {
            return true;
        }
        RuleRequest rated = new ServletRuleRequest(request);
        String policies = null;
        String remaining = null;
        for (HttpRateLimitRule rule : rules) {
            if (!rule.matches(rated)) {
                continue;
            }
            RateLimit limit = rule.limitFor(rated);
            String key = rule.keyOf(rated);
            if (key == null) {
                throw new MissingRequestKeyException(limit.name(), rule.keyDescription());
            }
            RateLimitDecision decision = limiter.acquire(key, limit, rule.tokens());
            if (!decision.allowed()) {
                throw new RateLimitExceededException(key, limit, decision.retryAfter());
            }
            if (headersOnAllowed) {
                // One item per matching rule, as a Structured Field list; usually there is one.
                String policy = rule.policyHeader(limit);
                String left = rule.remainingHeader(limit, decision);
                policies = policies == null ? policy : policies + ", " + policy;
                remaining = remaining == null ? left : remaining + ", " + left;
            }
        }
        if (policies != null) {
            response.setHeader(RateLimitHeaders.POLICY, policies);
            response.setHeader(RateLimitHeaders.RATE_LIMIT, remaining);
        }
        return true;
    }
}
