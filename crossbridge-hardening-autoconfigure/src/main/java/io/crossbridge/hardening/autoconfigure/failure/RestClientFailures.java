package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.failure.FailureKind;
import io.crossbridge.hardening.failure.RetryAfter;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.springframework.http.HttpHeaders;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;

/**
 * What the blocking clients of spring-web throw, {@code RestClient}, {@code RestTemplate} and
 * HTTP interface clients on either: an error response ({@link RestClientResponseException}) is
 * judged by its status and may carry {@code Retry-After}; an I/O failure before any response
 * ({@link ResourceAccessException}: connection refused or reset, read timeout) is transient.
 */
final class RestClientFailures implements FailureClassifier {

    private final Clock clock;

    RestClientFailures(Clock clock) {
        this.clock = clock;
    }

    @Override
    public FailureKind classify(Throwable failure) {
        if (failure instanceof RestClientResponseException response) {
            return HttpStatusKinds.of(response.getStatusCode().value());
        }
        return failure instanceof ResourceAccessException ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
    }

    @Override
    public Optional<Duration> retryAfter(Throwable failure) {
        // Read whatever the status: whether it is retried is the classification's to say (an
        // application may call a 409 transient), and a hint matters only where it is.
        if (failure instanceof RestClientResponseException response) {
            HttpHeaders headers = response.getResponseHeaders();
            return headers == null ? Optional.empty() : RetryAfter.fromHeaders(headers::getFirst, clock.instant());
        }
        return Optional.empty();
    }
}
