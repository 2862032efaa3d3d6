package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.autoconfigure.ratelimit.ClientAddresses;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitKeys;
import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * The default {@link ExchangeKeyResolver}: the principal, else the client address, exactly as a
 * servlet request counts.
 */
final class CallerKeyResolver implements ExchangeKeyResolver {

    private final ClientAddresses clientAddresses;

    CallerKeyResolver(ClientAddresses clientAddresses) {
        this.clientAddresses = clientAddresses;
    }

    @Override
    public Mono<String> resolveKey(ServerWebExchange exchange) {
        return exchange.getPrincipal().map(principal -> RateLimitKeys.principal(principal.getName()))
                .switchIfEmpty(Mono.fromSupplier(() -> keyOf(new ExchangeRuleRequest(exchange.getRequest(), null))));
    }

    /** The key of a request whose principal is resolved already, or {@code null} when it has none. */
    String keyOf(ExchangeRuleRequest request) {
        if (request.principal() != null) {
            return RateLimitKeys.principal(request.principal());
        }
        String address = clientAddresses.of(request.remoteAddress(), request::headers);
        return address == null ? null : RateLimitKeys.ip(address);
    }
}
