package io.crossbridge.hardening.autoconfigure.call;

import io.crossbridge.hardening.retry.AttemptTimeoutException;
import reactor.util.context.ContextView;

import java.time.Duration;

/**
 * The timeout of one attempt of a retried reactive call, kept in the attempt's Reactor context:
 * a cancel carries no reason, and the advice inside the attempt (a concurrency limit learning the
 * provider's capacity) must tell the timeout's cancel from the subscriber's.
 */
final class AttemptDeadline {

    static final Object KEY = AttemptDeadline.class;

    private final int attempt;

    private final Duration timeout;

    private volatile AttemptTimeoutException passed;

    /** Whether an element beat the timeout, which then cancels nothing. */
    private volatile boolean disarmed;

    AttemptDeadline(int attempt, Duration timeout) {
        this.attempt = attempt;
        this.timeout = timeout;
    }

    /** The timeout has passed: told before the attempt is cancelled, so that the cancel finds it. */
    void pass() {
        passed = new AttemptTimeoutException(attempt, timeout);
    }

    /** An element beat the timeout (its timer may have passed all the same, and lost). */
    void disarm() {
        disarmed = true;
    }

    /** The attempt's timeout once it has passed, else {@code null}. */
    AttemptTimeoutException passed() {
        return passed;
    }

    /** The timeout of the attempt running in {@code context}, when it has passed; else {@code null}. */
    static AttemptTimeoutException passedIn(ContextView context) {
        Object deadline = context.getOrDefault(KEY, null);
        return deadline instanceof AttemptDeadline attemptDeadline && !attemptDeadline.disarmed ? attemptDeadline.passed()
                : null;
    }
}
