package io.crossbridge.hardening.autoconfigure.web;

import java.net.InetSocketAddress;
import java.util.List;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * A WebFlux request, as a URL rule reads it, with its principal resolved beforehand (WebFlux
 * gives it only asynchronously).
 *
 * @param request   the request, {@code #request} in expressions
 * @param principal the principal's name, or {@code null}
 */
record ExchangeRuleRequest(ServerHttpRequest request, String principal) implements RuleRequest {

    @Override
    public String method() {
        return request.getMethod().name();
    }

    @Override
    public PathContainer path() {
        return request.getPath().pathWithinApplication();
    }

    @Override
    public List<String> headers(String name) {
        List<String> values = request.getHeaders().get(name);
        return values == null ? List.of() : values;
    }

    @Override
    public String header(String name) {
        return request.getHeaders().getFirst(name);
    }

    @Override
    public String remoteAddress() {
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote == null) {
            return null;
        }
        // The address as the connection gave it, never a name looked up for it.
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
