package io.crossbridge.hardening.failure;

import java.time.Duration;
import java.util.Optional;

/**
 * One rule of a {@link FailureClassification}: tells transient failures from permanent ones, one
 * throwable at a time (the classification walks the cause chain), and reads the retry-after hint
 * a failure carries. A rule answers {@link FailureKind#UNKNOWN} for failures it does not know, so
 * the next rule decides.
 */
@FunctionalInterface
public interface FailureClassifier {

    /**
     * Classifies {@code failure} itself, without looking at its cause.
     */
    FailureKind classify(Throwable failure);

    /**
     * Returns how long {@code failure} says to wait before calling again, if it says.
     */
    default Optional<Duration> retryAfter(Throwable failure) {
        return Optional.empty();
    }

    /**
     * Returns a classifier that asks this one first and {@code next} where this one answers
     * {@link FailureKind#UNKNOWN} (or gives no retry-after).
     */
    default FailureClassifier orElse(FailureClassifier next) {
        FailureClassifier first = this;
        return new FailureClassifier() {

            @Override
            public FailureKind classify(Throwable failure) {
                FailureKind kind = first.classify(failure);
                return kind != FailureKind.UNKNOWN ? kind : next.classify(failure);
            }

            @Override
            public Optional<Duration> retryAfter(Throwable failure) {
                Optional<Duration> hint = first.retryAfter(failure);
                return hint.isPresent() ? hint : next.retryAfter(failure);
            }
        };
    }

    /**
     * Returns the built-in classification. Transient: {@link java.io.IOException} and its
     * subclasses, {@link java.util.concurrent.TimeoutException}, {@link TransientException} and
     * its subclasses (whose retry-after it reports). Permanent: {@link PermanentException} and
     * its subclasses, {@link IllegalArgumentException}, {@link IllegalStateException},
     * {@link ClassCastException}, {@link NullPointerException},
     * {@link UnsupportedOperationException} and every {@link Error}. Anything else is
     * {@link FailureKind#UNKNOWN}, so wrappers such as {@link java.io.UncheckedIOException},
     * {@link java.util.concurrent.CompletionException} and
     * {@link java.util.concurrent.ExecutionException} are judged by their cause.
     */
    static FailureClassifier defaults() {
        return DefaultFailureClassifier.INSTANCE;
    }
}
