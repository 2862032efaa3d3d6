package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.concurrency.ConcurrencyLimiter.Outcome;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.ProviderRateLimitedException;
import io.crossbridge.hardening.failure.ProviderTimeoutException;

import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * What a failed call tells an adaptive limit: an overload when the provider said so (429 or 503,
 * a {@code Retry-After}) or did not answer in time (a timeout anywhere in the cause chain); else
 * nothing, since a bad request or a refused connection says nothing of its load, and its latency
 * is not the provider's.
 */
final class OverloadSignals {

    private static final int MAX_CAUSE_DEPTH = 16;

    private static final boolean restClientPresent = ClassUtils.isPresent(
            "org.springframework.web.client.RestClientResponseException", OverloadSignals.class.getClassLoader());

    private static final boolean webClientPresent = ClassUtils.isPresent(
            "org.springframework.web.reactive.function.client.WebClientResponseException",
            OverloadSignals.class.getClassLoader());

    private final FailureClassification classification;

    OverloadSignals(FailureClassification classification) {
        this.classification = classification;
    }

    Outcome of(Throwable failure) {
        if (classification.retryAfter(failure).isPresent()) {
            return Outcome.OVERLOADED;
        }
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
            if (current instanceof TimeoutException || current instanceof SocketTimeoutException
                    || current instanceof java.net.http.HttpTimeoutException || current instanceof ProviderTimeoutException
                    || current instanceof ProviderRateLimitedException || namedTimeout(current)) {
                return Outcome.OVERLOADED;
            }
            int status = status(current);
            if (status == 429 || status == 503) {
                return Outcome.OVERLOADED;
            }
            current = current.getCause();
        }
        return Outcome.IGNORED;
    }

    /**
     * Timeouts of libraries this module does not depend on, known by name: Netty's
     * {@code ReadTimeoutException} (Reactor Netty's response timeout), JDBC's
     * {@code SQLTimeoutException}, Spring's {@code QueryTimeoutException}.
     */
    private static boolean namedTimeout(Throwable failure) {
        return failure.getClass().getSimpleName().endsWith("TimeoutException");
    }

    /** The HTTP status a Spring client's error carries, or 0. */
    private static int status(Throwable failure) {
        if (restClientPresent && RestClient.is(failure)) {
            return RestClient.status(failure);
        }
        if (webClientPresent && WebClient.is(failure)) {
            return WebClient.status(failure);
        }
        return 0;
    }

    /** Loaded only where spring-web is. */
    private static final class RestClient {

        static boolean is(Throwable failure) {
            return failure instanceof RestClientResponseException;
        }

        static int status(Throwable failure) {
            return ((RestClientResponseException) failure).getStatusCode().value();
        }
    }

    /** Loaded only where spring-webflux is. */
    private static final class WebClient {

        static boolean is(Throwable failure) {
            return failure instanceof WebClientResponseException;
        }

        static int status(Throwable failure) {
            return ((WebClientResponseException) failure).getStatusCode().value();
        }
    }
}
