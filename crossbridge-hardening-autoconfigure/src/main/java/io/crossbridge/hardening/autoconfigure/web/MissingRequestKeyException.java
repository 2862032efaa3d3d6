package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;

/**
 * A request lacks what a URL rule identifies callers by: its principal, or a header. It becomes a
 * 400 that says what to send; the request is never let through without a key.
 */
class MissingRequestKeyException extends MissingRateLimitKeyException {

    private static final long serialVersionUID = 1L;

    private final String source;

    MissingRequestKeyException(String limitName, String source) {
        super(limitName);
        this.source = source;
    }

    /** Returns what the request should have carried, such as "the X-API-Key header". */
    String source() {
        return source;
    }
}
