package io.crossbridge.hardening.ratelimit;

import java.time.Duration;

/**
 * The outcome of one {@link RateLimiter#acquire} call, taken in one atomic step: everything the
 * {@code RateLimit} and {@code Retry-After} HTTP headers need.
 *
 * @param allowed    whether the requested tokens were taken
 * @param remaining  the tokens left in the bucket after this decision; fractional, since the
 *                   bucket refills continuously
 * @param retryAfter zero when allowed; otherwise how long until the requested tokens are there
 * @param timeToFull how long until the bucket is full again
 */
public record RateLimitDecision(boolean allowed, double remaining, Duration retryAfter, Duration timeToFull) {
}
