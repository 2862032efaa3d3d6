package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.ClientAddresses;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitKeys;

import java.util.function.Function;

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
 * @param description    what the request must carry, for the 400 when it does not
 * @param keyOf          the key of a request, or {@code null} when it has none
 * @param callersDefault whether this is the default (no {@code key} set): the principal, else the
 *                       client address, which a WebFlux application's {@code ExchangeKeyResolver}
 *                       bean replaces
 */
record RequestKeySource(String description, Function<RuleRequest, String> keyOf, boolean callersDefault) {

    private static final SpelExpressionParser PARSER = new SpelExpressionParser();

    private static final String PRINCIPAL = "an authenticated principal";

    /**
     * Parses a {@code key} setting.
     *
     * @throws InvalidPropertyException naming {@code property} when the setting is not one of the
     *                                  known sources or does not parse
     */
    static RequestKeySource parse(String property, String spec, ClientAddresses clientAddresses) {
        if (spec == null || spec.isBlank()) {
            return new RequestKeySource("a principal or a client address", request -> {
                String principal = request.principal();
                return principal != null ? RateLimitKeys.principal(principal) : ipKey(clientAddresses, request);
            }, true);
        }
        if (spec.equals("principal")) {
            return new RequestKeySource(PRINCIPAL, request -> {
                String principal = request.principal();
                return principal != null ? RateLimitKeys.principal(principal) : null;
            }, false);
        }
        if (spec.equals("ip")) {
            return new RequestKeySource("a client address", request -> ipKey(clientAddresses, request), false);
        }
        if (spec.startsWith("header:") && spec.length() > "header:".length()) {
            String header = spec.substring("header:".length()).trim();
            String prefix = RateLimitKeys.headerPrefix(header);
            return new RequestKeySource("the " + header + " header",
                    request -> RateLimitKeys.header(prefix, request.header(header)), false);
        }
        if (spec.startsWith("#")) {
            Expression expression = parseExpression(property, spec);
            return new RequestKeySource("what " + spec + " reads", request -> {
                Object key = expression.getValue(context(request));
                return key == null ? null : RateLimitKeys.expression(key.toString());
            }, false);
        }
        throw new InvalidPropertyException(property, spec,
                "It must be principal, ip, header:NAME or a SpEL expression over #request starting with #.");
    }

    /** Whether the key may be the principal: the default, and {@code principal}. */
    boolean needsPrincipal() {
        return callersDefault || description.equals(PRINCIPAL);
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
    static EvaluationContext context(RuleRequest request) {
        EvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().withInstanceMethods().build();
        context.setVariable("request", request.request());
        return context;
    }

    private static String address(ClientAddresses clientAddresses, RuleRequest request) {
        return clientAddresses.of(request.remoteAddress(), request::headers);
    }

    /** The key of a client address; {@code null} (a 400) when the request has none, never one shared bucket. */
    private static String ipKey(ClientAddresses clientAddresses, RuleRequest request) {
        String address = address(clientAddresses, request);
        return address == null ? null : RateLimitKeys.ip(address);
    }
}
