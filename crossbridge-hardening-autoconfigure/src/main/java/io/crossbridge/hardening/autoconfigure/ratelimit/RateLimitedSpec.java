package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.ratelimit.RateLimit;

import org.springframework.expression.Expression;

/**
 * What a {@code @RateLimited} method takes, resolved once: the limit, the parsed key expression
 * ({@code null} to ask the key resolver) and the tokens per call.
 */
record RateLimitedSpec(RateLimit limit, Expression key, int tokens) {
}
