package io.crossbridge.hardening.autoconfigure.web;

import java.security.Principal;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.UrlPathHelper;

/** A servlet request, as a URL rule reads it. */
record ServletRuleRequest(HttpServletRequest request) implements RuleRequest {

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public PathContainer path() {
        return ServletRequestPathUtils.hasParsedRequestPath(request)
                ? ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication()
                : PathContainer.parsePath(UrlPathHelper.defaultInstance.getPathWithinApplication(request));
    }

    @Override
    public List<String> headers(String name) {
        return Collections.list(request.getHeaders(name));
    }

    @Override
    public String header(String name) {
        return request.getHeader(name);
    }

    @Override
    public String remoteAddress() {
        return request.getRemoteAddr();
    }

    @Override
    public String principal() {
        Principal principal = request.getUserPrincipal();
        return principal == null ? null : principal.getName();
    }
}
