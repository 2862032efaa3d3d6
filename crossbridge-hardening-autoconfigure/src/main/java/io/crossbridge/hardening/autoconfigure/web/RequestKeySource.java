package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.ClientAddresses;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitKeys;

import java.security.Principal;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * Who a request counts against, as a URL rule's {@code key} names it. The client address is what
 * {@link ClientAddresses} finds: the remote address, or the address trusted proxies vouch for.
 * Each source keeps to its own namespace ({@link RateLimitKeys}).
 *
 * @param description what the request must carry, for the 400 when it does not
 * @param keyOf       the key of a request, or {@code null} when it has none
 */
record RequestKeySource(String description, Function<HttpServletRequest, String> keyOf) {

    private static final SpelExpressionParser PARSER = new SpelExpressionParser();

    /**
     * Parses a {@code key} setting.
     *
     * @throws InvalidPropertyException naming {@code property} when the setting is not one of the
     *                                  known sources or does not parse
     */
    static RequestKeySource parse(String property, String spec, ClientAddresses clientAddresses) {
        if (spec == null || spec.isBlank()) {
            return new RequestKeySource("a principal or a client address", request -> {
                String principal = principal(request);
                return principal != null ? RateLimitKeys.principal(principal) : RateLimitKeys.ip(clientAddresses.of(request));
            });
        }
        if (spec.equals("principal")) {
            return new RequestKeySource("an authenticated principal", request -> {
                String principal = principal(request);
                return principal != null ? RateLimitKeys.principal(principal) : null;
            });
        }
        if (spec.equals("ip")) {
            return new RequestKeySource("a client address", request -> RateLimitKeys.ip(clientAddresses.of(request)));
        }
        if (spec.startsWith("header:") && spec.length() > "header:".length()) {
            String header = spec.substring("header:".length()).trim();
            String prefix = RateLimitKeys.headerPrefix(header);
            return new RequestKeySource("the " + header + " header",
                    request -> RateLimitKeys.header(prefix, request.getHeader(header)));
        }
        if (spec.startsWith("#")) {
            Expression expression = parseExpression(property, spec);
            return new RequestKeySource("what " + spec + " reads", request -> {
                Object key = expression.getValue(context(request));
                return key == null ? null : RateLimitKeys.expression(key.toString());
            });
        }
        throw new InvalidPropertyException(property, spec,
                "It must be principal, ip, header:NAME or a SpEL expression over #request starting with #.");
    }

    static Expression parseExpression(String property, String spec) {
        try {
            return PARSER.parseExpression(spec);
        }
        catch (ParseException ex) {
            throw new InvalidPropertyException(property, spec, "The expression does not parse: " + ex.getMessage());
        }
    }

    /** A read-only evaluation with the request as {@code #request}: no types, no bean references. */
    static EvaluationContext context(HttpServletRequest request) {
        EvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().withInstanceMethods().build();
        context.setVariable("request", request);
        return context;
    }

    private static String principal(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return principal == null ? null : principal.getName();
    }
}
