package io.crossbridge.hardening;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The failure an asynchronous call really had: futures wrap it in {@link CompletionException}
 * or {@link ExecutionException} on the way to the caller, and retries, circuit breakers and
 * their observers must judge the failure itself.
 */
public final class AsyncFailures {

    private AsyncFailures() {
    }

    /** Returns {@code failure} without its future wrappers; {@code null} for {@code null}. */
    public static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
