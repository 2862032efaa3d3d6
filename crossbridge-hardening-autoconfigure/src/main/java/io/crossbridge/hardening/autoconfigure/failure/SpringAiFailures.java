package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.failure.FailureKind;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;

/**
 * Spring AI's own judgement of a model call: {@link TransientAiException} is transient,
 * {@link NonTransientAiException} permanent. Spring AI's default error handler makes every 4xx
 * non-transient, 429 included, and keeps no headers; see the README for its
 * {@code spring.ai.retry.on-http-codes}.
 */
enum SpringAiFailures implements FailureClassifier {

    INSTANCE;

    @Override
    public FailureKind classify(Throwable failure) {
        if (failure instanceof TransientAiException) {
            return FailureKind.TRANSIENT;
        }
        return failure instanceof NonTransientAiException ? FailureKind.PERMANENT : FailureKind.UNKNOWN;
    }
}
