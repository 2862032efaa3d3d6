package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a rate-limit rejection with 429 and a missing key with 400, both as RFC 9457
 * {@code application/problem+json}. Ordered before Spring MVC's own resolvers, so that an
 * application's catch-all {@code @ExceptionHandler(Exception.class)} does not turn a 429 into a
 * 500; an {@code @ExceptionHandler} the application wrote for either exception still wins
 * ({@link ApplicationExceptionHandlers}).
 * <p>
 * A 429 carries {@code Retry-After} in whole seconds, rounded up so a client is never early, the
 * {@code RateLimit-Policy} and {@code RateLimit} fields of draft-ietf-httpapi-ratelimit-headers-10,
 * and that draft's {@code quota-exceeded} problem type with {@code violated-policies}. Neither
 * answer contains the key: it may be an API key.
 */
final class RateLimitExceptionResolver implements HandlerExceptionResolver, Ordered {

    /** The problem type the draft registers for an exceeded quota. */
    static final String QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded";

    /** Just before Spring MVC's resolvers, which its configuration orders at 0. */
    static final int ORDER = -1;

    private final ApplicationExceptionHandlers applicationHandlers;

    RateLimitExceptionResolver(ApplicationExceptionHandlers applicationHandlers) {
        this.applicationHandlers = applicationHandlers;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (response.isCommitted()) {
            return null;
        }
        if (ex instanceof RateLimitExceededException exceeded) {
            if (applicationHandlers.answer(handler, ex, RateLimitExceededException.class)) {
                return null;
            }
            tooManyRequests(response, exceeded.limit(), exceeded.retryAfter());
            return new ModelAndView();
        }
        if (ex instanceof MissingRateLimitKeyException missing) {
            if (applicationHandlers.answer(handler, ex, MissingRateLimitKeyException.class)) {
                return null;
            }
            String source = missing instanceof MissingRequestKeyException fromRequest ? fromRequest.source()
                    : "a key for the caller";
            write(response, 400, "{\"type\":\"about:blank\",\"title\":\"Missing rate-limit key\",\"status\":400,"
                    + "\"detail\":" + json("This endpoint is rate limited per caller (limit '" + missing.limitName()
                            + "'); the request must carry " + source + ".")
                    + "}");
            return new ModelAndView();
        }
        return null;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    private static void tooManyRequests(HttpServletResponse response, RateLimit limit, Duration retryAfter) {
        long seconds = Math.max(1, RateLimitHeaders.seconds(retryAfter));
        response.setHeader("Retry-After", Long.toString(seconds));
        response.setHeader(RateLimitHeaders.POLICY, RateLimitHeaders.policy(limit));
        response.setHeader(RateLimitHeaders.RATE_LIMIT, RateLimitHeaders.remaining(limit, 0, retryAfter));
        write(response, 429, "{\"type\":" + json(QUOTA_EXCEEDED) + ","
                + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\",\"status\":429,"
                + "\"detail\":" + json("Rate limit '" + limit.name() + "' allows " + limit.capacity() + " per "
                        + RateLimitHeaders.seconds(limit.window()) + " s; retry after " + seconds + " s.")
                + ",\"violated-policies\":[" + json(limit.name()) + "],\"retry-after\":" + seconds + "}");
    }

    private static void write(HttpServletResponse response, int status, String body) {
        try {
            response.setStatus(status);
            response.setContentType("application/problem+json");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
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
