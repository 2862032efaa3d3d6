package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.concurrency.ConcurrencyLimitExceededException;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP answer to one of the starter's refusals, as RFC 9457 {@code application/problem+json},
 * the same on either web stack: a full concurrency limit (503 with {@code Retry-After} when it is
 * the limit over all calls, the provider's capacity; 429 when it is a caller's per-key share), a
 * rate-limit rejection (429) or a missing key (400). A rate-limit 429 carries
 * {@code Retry-After} in whole seconds, rounded up so a client is never early, the
 * {@code RateLimit-Policy} and {@code RateLimit} fields of draft-ietf-httpapi-ratelimit-headers-10,
 * and that draft's {@code quota-exceeded} problem type with {@code violated-policies}. Neither
 * answer contains the key: it may be an API key.
 *
 * @param status  the status
 * @param headers the headers besides the content type, in order
 * @param body    the problem body
 */
record RateLimitProblem(int status, Map<String, String> headers, byte[] body) {

    static final String CONTENT_TYPE = "application/problem+json";

    /** The problem type the draft registers for an exceeded quota. */
    static final String QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded";

    /**
     * Seconds a client is told to wait after a full concurrency limit: places free as calls end,
     * so soon, and no sooner can be said in whole seconds.
     */
    static final int CONCURRENCY_RETRY_AFTER_SECONDS = 1;

    /** The answer to {@code failure}, or {@code null} when it is none of the starter's refusals. */
    static RateLimitProblem of(Throwable failure) {
        if (failure instanceof ConcurrencyLimitExceededException full) {
            return concurrencyLimitFull(full);
        }
        if (failure instanceof RateLimitExceededException exceeded) {
            return tooManyRequests(exceeded.limit(), exceeded.retryAfter());
        }
        if (failure instanceof MissingRateLimitKeyException missing) {
            String source = missing instanceof MissingRequestKeyException fromRequest ? fromRequest.source()
                    : "a key for the caller";
            return new RateLimitProblem(400, Map.of(), bytes("{\"type\":\"about:blank\",\"title\":\"Missing rate-limit key\","
                    + "\"status\":400,\"detail\":" + json("This endpoint is rate limited per caller (limit '"
                            + missing.limitName() + "'); the request must carry " + source + ".")
                    + "}"));
        }
        return null;
    }

    /** The type of the refusal an application's {@code @ExceptionHandler} would be declared for. */
    static Class<? extends Exception> refusalType(Throwable failure) {
        if (failure instanceof ConcurrencyLimitExceededException) {
            return ConcurrencyLimitExceededException.class;
        }
        return failure instanceof RateLimitExceededException ? RateLimitExceededException.class
                : MissingRateLimitKeyException.class;
    }

    private static RateLimitProblem concurrencyLimitFull(ConcurrencyLimitExceededException full) {
        int status = full.perKey() ? 429 : 503;
        String title = full.perKey() ? "Too Many Requests" : "Service Unavailable";
        String detail = full.perKey()
                ? "Concurrency limit '" + full.name() + "' allows " + full.limit() + " calls in flight per caller; retry after "
                        + CONCURRENCY_RETRY_AFTER_SECONDS + " s."
                : "Concurrency limit '" + full.name() + "' of " + full.limit() + " calls in flight is full; retry after "
                        + CONCURRENCY_RETRY_AFTER_SECONDS + " s.";
        return new RateLimitProblem(status, Map.of("Retry-After", Integer.toString(CONCURRENCY_RETRY_AFTER_SECONDS)),
                bytes("{\"type\":\"about:blank\",\"title\":" + json(title) + ",\"status\":" + status + ",\"detail\":"
                        + json(detail) + ",\"limit\":" + json(full.name()) + ",\"retry-after\":"
                        + CONCURRENCY_RETRY_AFTER_SECONDS + "}"));
    }

    private static RateLimitProblem tooManyRequests(RateLimit limit, Duration retryAfter) {
        long seconds = Math.max(1, RateLimitHeaders.seconds(retryAfter));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Retry-After", Long.toString(seconds));
        headers.put(RateLimitHeaders.POLICY, RateLimitHeaders.policy(limit));
        headers.put(RateLimitHeaders.RATE_LIMIT, RateLimitHeaders.remaining(limit, 0, retryAfter));
        return new RateLimitProblem(429, headers, bytes("{\"type\":" + json(QUOTA_EXCEEDED) + ","
                + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\",\"status\":429,"
                + "\"detail\":" + json("Rate limit '" + limit.name() + "' allows " + limit.capacity() + " per "
                        + RateLimitHeaders.seconds(limit.window()) + " s; retry after " + seconds + " s.")
                + ",\"violated-policies\":[" + json(limit.name()) + "],\"retry-after\":" + seconds + "}"));
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal. */
    static String json(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
