package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.failure.PermanentException;
import io.crossbridge.hardening.failure.TransientException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;

/**
 * How provider failures reach the demo's callers: a bad request is 400; a provider still failing
 * after its retries, or not answering in time, is 503, with the provider's own {@code Retry-After}
 * when it sent one; any other provider answer is 502. Rate-limit answers (429, and 400 for a missing key) come from the
 * starter.
 */
@RestControllerAdvice
class ProviderErrors {

    @ExceptionHandler(PermanentException.class)
    ProblemDetail badRequest(PermanentException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler(TransientException.class)
    ProblemDetail providerUnavailable(TransientException ex) {
        return unavailable(ex.getMessage());
    }

    @ExceptionHandler(ResourceAccessException.class)
    ProblemDetail providerUnreachable(ResourceAccessException ex) {
        return unavailable("no answer from the provider (" + ex.getMessage() + ")");
    }

    @ExceptionHandler(RestClientResponseException.class)
    ResponseEntity<ProblemDetail> providerAnswered(RestClientResponseException ex) {
        int status = ex.getStatusCode().value();
        if (status != 429 && status < 500) {
            return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                    .body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, "The provider answered " + status));
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE);
        String retryAfter = ex.getResponseHeaders() == null ? null : ex.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfter);
        }
        return response.body(unavailable("the provider answered " + status));
    }

    private static ProblemDetail unavailable(String why) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The provider kept failing after retries: " + why);
        problem.setTitle("Provider unavailable");
        return problem;
    }
}
