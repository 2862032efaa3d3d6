package io.crossbridge.hardening.autoconfigure.web;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers the starter's refusals in a servlet application (a rate-limit rejection with 429, a
 * missing key with 400, a full concurrency limit with 503 or 429) as the problems of
 * {@link RateLimitProblem}. Ordered before Spring MVC's own resolvers, so that
 * an application's catch-all {@code @ExceptionHandler(Exception.class)} does not turn a 429 into a
 * 500; an {@code @ExceptionHandler} the application wrote for either exception still wins
 * ({@link ApplicationExceptionHandlers}).
 */
final class RateLimitExceptionResolver implements HandlerExceptionResolver, Ordered {

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
        RateLimitProblem problem = RateLimitProblem.of(ex);
        if (problem == null) {
            return null;
        }
        if (applicationHandlers.answer(handler, ex, RateLimitProblem.refusalType(ex))) {
            return null;
        }
        try {
            response.setStatus(problem.status());
            problem.headers().forEach(response::setHeader);
            response.setContentType(RateLimitProblem.CONTENT_TYPE);
            response.setContentLength(problem.body().length);
            response.getOutputStream().write(problem.body());
        }
        catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
