package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.failure.FailureKind;

import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

/**
 * What Spring's data access translation calls transient: {@link TransientDataAccessException}
 * (query timeouts, lock and concurrency failures among them) and
 * {@link RecoverableDataAccessException}. Other data access failures are left to their causes, so
 * a connection refused under a resource failure is still transient.
 */
enum DataAccessFailures implements FailureClassifier {

    INSTANCE;

    @Override
    public FailureKind classify(Throwable failure) {
        return failure instanceof TransientDataAccessException || failure instanceof RecoverableDataAccessException
                ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
    }
}
