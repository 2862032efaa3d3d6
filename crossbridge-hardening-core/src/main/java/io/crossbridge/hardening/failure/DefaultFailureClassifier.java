package io.crossbridge.hardening.failure;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The built-in classification described at {@link FailureClassifier#defaults()}.
 */
enum DefaultFailureClassifier implements FailureClassifier {

    INSTANCE;

    @Override
    public FailureKind classify(Throwable failure) {
        if (failure instanceof TransientException || failure instanceof IOException
                || failure instanceof TimeoutException) {
            return FailureKind.TRANSIENT;
        }
        if (failure instanceof PermanentException || failure instanceof Error
                || failure instanceof IllegalArgumentException || failure instanceof IllegalStateException
                || failure instanceof ClassCastException || failure instanceof NullPointerException
                || failure instanceof UnsupportedOperationException) {
            return FailureKind.PERMANENT;
        }
        return FailureKind.UNKNOWN;
    }

    @Override
    public Optional<Duration> retryAfter(Throwable failure) {
        return failure instanceof TransientException transientFailure ? transientFailure.retryAfter() : Optional.empty();
    }
}
