package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.failure.FailureKind;
import io.crossbridge.hardening.failure.RetryAfter;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * What {@code WebClient} (and HTTP interface clients on it) throws: an error response
 * ({@link WebClientResponseException}) is judged by its status and may carry
 * {@code Retry-After}; a failure to send or to read ({@link WebClientRequestException}: connection
 * refused or reset, timeout) is transient.
 */
final class WebClientFailures implements FailureClassifier {

    private final Clock clock;

    WebClientFailures(Clock clock) {
        this.clock = clock;
    }

    @Override
    public FailureKind classify(Throwable failure) {
        if (failure instanceof WebClientResponseException response) {
            return HttpStatusKinds.of(response.getStatusCode().value());
        }
        return failure instanceof WebClientRequestException ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
    }

    @Override
    public Optional<Duration> retryAfter(Throwable failure) {
        // Read whatever the status: whether it is retried is the classification's to say (an
        // application may call a 409 transient), and a hint matters only where it is.
        if (failure instanceof WebClientResponseException response) {
            return RetryAfter.fromHeaders(response.getHeaders()::getFirst, clock.instant());
        }
        return Optional.empty();
    }
}
