package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.ratelimit.ClientAddresses;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitCatalog;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;

import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.expression.Expression;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * One {@code crossbridge.hardening.rate-limit.http[i]} rule, checked at startup: which requests it
 * applies to, the limit each takes from (fixed, or chosen per request), whose bucket, and how
 * many tokens.
 */
final class HttpRateLimitRule {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
            "TRACE");

    private final PathPattern path;

    private final Set<String> methods;

    private final Function<RuleRequest, RateLimit> limit;

    private final String limitDescription;

    private final RequestKeySource key;

    private final int tokens;

    /** The {@code RateLimit-Policy} item of a fixed limit, built once; {@code null} for a plan. */
    private final String fixedPolicyHeader;

    /** The start of a fixed limit's {@code RateLimit} item, built once; {@code null} for a plan. */
    private final String fixedRemainingPrefix;

    private HttpRateLimitRule(PathPattern path, Set<String> methods, Function<RuleRequest, RateLimit> limit,
            String limitDescription, RequestKeySource key, int tokens, RateLimit fixed) {
        this.path = path;
        this.methods = methods;
        this.limit = limit;
        this.limitDescription = limitDescription;
        this.key = key;
        this.tokens = tokens;
        this.fixedPolicyHeader = fixed == null ? null : RateLimitHeaders.policy(fixed);
        this.fixedRemainingPrefix = fixed == null ? null : RateLimitHeaders.remainingPrefix(fixed);
    }

    /**
     * Resolves rule {@code index} of the properties.
     *
     * @throws InvalidPropertyException naming the first setting of the rule that is bad
     */
    static HttpRateLimitRule of(int index, RateLimitProperties.HttpRule rule, RateLimitCatalog catalog,
            ClientAddresses clientAddresses) {
        String prefix = "crossbridge.hardening.rate-limit.http[" + index + "].";
        if (rule.getPath() == null || rule.getPath().isBlank()) {
            throw new InvalidPropertyException(prefix + "path", rule.getPath(), "Each rule needs a path pattern, such as /api/**.");
        }
        PathPattern path;
        try {
            path = PathPatternParser.defaultInstance.parse(rule.getPath());
        }
        catch (PatternParseException ex) {
            throw new InvalidPropertyException(prefix + "path", rule.getPath(), "It does not parse: " + ex.getMessage());
        }
        Set<String> methods = rule.getMethods().stream().map(method -> method.trim().toUpperCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        for (String method : methods) {
            if (!METHODS.contains(method)) {
                throw new InvalidPropertyException(prefix + "methods", rule.getMethods(),
                        "'" + method + "' is not an HTTP method; use any of " + METHODS.stream().sorted().toList() + ".");
            }
        }
        String limitSpec = rule.getLimit();
        Function<RuleRequest, RateLimit> limit;
        RateLimit fixed = null;
        if (limitSpec == null || limitSpec.isBlank()) {
            throw new InvalidPropertyException(prefix + "limit", limitSpec, "Each rule names a limit; configured: "
                    + catalog.names() + ".");
        }
        if (limitSpec.startsWith("#")) {
            Expression expression = RequestKeySource.parseExpression(prefix + "limit", limitSpec);
            limit = request -> chosen(catalog, limitSpec, expression.getValue(RequestKeySource.context(request)));
        }
        else {
            fixed = catalog.find(limitSpec).orElseThrow(() -> new InvalidPropertyException(prefix + "limit",
                    limitSpec, "No limit has that name; configured: " + catalog.names() + "."));
            checkTokens(prefix, rule.getTokens(), fixed);
            RateLimit always = fixed;
            limit = request -> always;
        }
        if (rule.getTokens() < 1) {
            throw new InvalidPropertyException(prefix + "tokens", rule.getTokens(), "It must be at least 1.");
        }
        return new HttpRateLimitRule(path, methods, limit, limitSpec, RequestKeySource.parse(prefix + "key", rule.getKey(), clientAddresses),
                rule.getTokens(), fixed);
    }

    /**
     * Whether this rule applies to the request. A HEAD request counts as the GET it asks about,
     * as Spring MVC and WebFlux serve it through the GET handler: otherwise {@code methods: [GET]} would
     * let HEAD requests run the handler without a limit.
     */
    boolean matches(RuleRequest request) {
        String method = request.method();
        if (!methods.isEmpty() && !methods.contains(method) && !("HEAD".equals(method) && methods.contains("GET"))) {
            return false;
        }
        return path.matches(request.path());
    }

    RateLimit limitFor(RuleRequest request) {
        return limit.apply(request);
    }

    /** The request's key, or {@code null} when it lacks one. */
    String keyOf(RuleRequest request) {
        String value = key.keyOf().apply(request);
        return value == null || value.isBlank() ? null : value;
    }

    /** Whether the rule sets no key: it counts callers by principal, else by client address. */
    boolean keyedByCaller() {
        return key.callersDefault();
    }

    /** Whether the key needs the request's principal, which WebFlux gives only asynchronously. */
    boolean needsPrincipal() {
        return key.needsPrincipal();
    }

    /** What a request must carry to have a key, for the 400 when it does not. */
    String keyDescription() {
        return key.description();
    }

    int tokens() {
        return tokens;
    }

    /** The {@code RateLimit-Policy} item for the limit this request took from. */
    String policyHeader(RateLimit limit) {
        return fixedPolicyHeader != null ? fixedPolicyHeader : RateLimitHeaders.policy(limit);
    }

    /** The {@code RateLimit} item after an allowed request took from {@code limit}. */
    String remainingHeader(RateLimit limit, RateLimitDecision decision) {
        String prefix = fixedRemainingPrefix != null ? fixedRemainingPrefix : RateLimitHeaders.remainingPrefix(limit);
        return RateLimitHeaders.remaining(prefix, decision.remaining(), decision.timeToFull());
    }

    @Override
    public String toString() {
        return path.getPatternString() + " " + (methods.isEmpty() ? "*" : methods) + " -> " + limitDescription;
    }

    private static RateLimit chosen(RateLimitCatalog catalog, String expression, Object name) {
        // A plan that names no configured limit is the application's mistake: fail the request
        // loudly rather than let it through unlimited or guess a tier.
        return catalog.find(name == null ? "" : name.toString()).orElseThrow(() -> new IllegalStateException(
                "Limit expression " + expression + " chose '" + name + "', which is not a configured limit; configured: "
                        + catalog.names()));
    }

    private static void checkTokens(String prefix, int tokens, RateLimit limit) {
        if (tokens > limit.capacity()) {
            throw new InvalidPropertyException(prefix + "tokens", tokens,
                    "It must be at most the capacity of limit '" + limit.name() + "' (" + limit.capacity() + ").");
        }
    }
}
