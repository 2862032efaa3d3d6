package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureKind;

/**
 * What an HTTP error status says of the call that got it, whichever client received it.
 */
final class HttpStatusKinds {

    private HttpStatusKinds() {
    }

    /**
     * Transient: 408 Request Timeout, 425 Too Early, 429 Too Many Requests and every 5xx but 501
     * Not Implemented and 505 HTTP Version Not Supported, which no second try cures. Permanent:
     * every other 4xx, 501 and 505. Anything else (a redirect that was not followed, a status
     * beyond 599) is not an error these rules know.
     */
    static FailureKind of(int status) {
        if (status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505)) {
            return FailureKind.TRANSIENT;
        }
        if ((status >= 400 && status <= 499) || status == 501 || status == 505) {
            return FailureKind.PERMANENT;
        }
        return FailureKind.UNKNOWN;
    }
}
