package io.crossbridge.hardening.autoconfigure.web;

import java.util.List;

import org.springframework.http.server.PathContainer;

/**
 * What a URL rule reads of a request, whichever web stack it came through: a servlet request
 * ({@link ServletRuleRequest}) or a WebFlux exchange ({@link ExchangeRuleRequest}).
 */
interface RuleRequest {

    String method();

    /** The path within the application, without its context path. */
    PathContainer path();

    /** The header's values, in the order they came; empty when it is absent. */
    List<String> headers(String name);

    /** The header's first value, or {@code null} when it is absent; read without a list. */
    String header(String name);

    /** The address the connection came from. */
    String remoteAddress();

    /** The authenticated principal's name, or {@code null}. */
    String principal();

    /** The request itself, as {@code #request} in a rule's expressions. */
    Object request();
}
