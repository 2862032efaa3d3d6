package io.crossbridge.hardening.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.security.Principal;
import java.util.Collections;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The default key: the authenticated principal of the current HTTP request, else its client
 * address as {@link ClientAddresses} finds it. Outside an HTTP request there is no key.
 */
final class RequestRateLimitKeyResolver implements RateLimitKeyResolver {

    private final ClientAddresses clientAddresses;

    RequestRateLimitKeyResolver(ClientAddresses clientAddresses) {
        this.clientAddresses = clientAddresses;
    }

    @Override
    public String resolveKey(Method method, Object[] arguments) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (!(attributes instanceof ServletRequestAttributes servletAttributes)) {
            return null;
        }
        HttpServletRequest request = servletAttributes.getRequest();
        Principal principal = request.getUserPrincipal();
        return principal != null ? RateLimitKeys.principal(principal.getName()) : RateLimitKeys.ip(clientAddresses.of(request.getRemoteAddr(),
                name -> Collections.list(request.getHeaders(name))));
    }
}
