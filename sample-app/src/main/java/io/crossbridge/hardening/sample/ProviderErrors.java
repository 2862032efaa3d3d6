package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.failure.PermanentException;
import io.crossbridge.hardening.failure.TransientException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * How provider failures reach the demo's callers: a bad request is 400, a provider still failing
 * after its retries is 503. Rate-limit answers (429, and 400 for a missing key) come from the
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
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The provider kept failing after retries: " + ex.getMessage());
        problem.setTitle("Provider unavailable");
        return problem;
    }
}
