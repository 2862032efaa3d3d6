package io.crossbridge.hardening.failure;

/**
 * What a {@link FailureClassifier} says of one failure.
 */
public enum FailureKind {

    /** Calling again may succeed: retry. */
    TRANSIENT,

    /** Calling again will fail the same way: rethrow at once. */
    PERMANENT,

    /** This classifier cannot tell; the next classifier, or the failure's cause, decides. */
    UNKNOWN
}
