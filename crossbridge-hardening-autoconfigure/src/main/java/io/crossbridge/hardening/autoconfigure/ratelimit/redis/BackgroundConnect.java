package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Connects to Redis on a thread of its own, never on a caller's. Spring Data Redis connects under
 * the factory's lock, and a Redis that drops packets holds a connect for the whole connect
 * timeout, so callers that connected themselves would wait far past the store's timeout, one
 * behind another. Here the first connect starts as the driver is made; a caller that finds no
 * connection, or a failed connect, starts another, and a caller waits for a connect under way no
 * longer than its own deadline. At most one connect is under way at a time.
 *
 * @param <T> what a connect yields: the connection, or just that Redis answered
 */
final class BackgroundConnect<T> {

    private final Supplier<T> connect;

    private final AtomicReference<CompletableFuture<T>> current = new AtomicReference<>();

    BackgroundConnect(Supplier<T> connect) {
        this.connect = connect;
        connecting();
    }

    /**
     * What the last connect yielded, waiting for one under way until the deadline.
     *
     * @throws NotConnectedException when no connect ended in time
     * @throws ExecutionException when the connect failed, with its failure as the cause
     */
    T get(long deadlineNanos) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<T> connection = current.get();
        if (connection != null && connection.isDone() && !connection.isCompletedExceptionally()) {
            return connection.getNow(null);
        }
        if (connection == null || connection.isCompletedExceptionally()) {
            connection = connecting();
        }
        try {
            return connection.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            throw new NotConnectedException();
        }
    }

    /** The connection the last connect made, or null while none is made: never waits. */
    T now() {
        CompletableFuture<T> connection = current.get();
        return connection != null && connection.isDone() && !connection.isCompletedExceptionally()
                ? connection.getNow(null) : null;
    }

    /**
     * What the last connect yields, for a caller that must not block: the connection made, or
     * the connect under way (started now when there is none, or the last one failed).
     */
    CompletableFuture<T> whenConnected() {
        CompletableFuture<T> connection = current.get();
        if (connection != null && !connection.isCompletedExceptionally()) {
            return connection;
        }
        return connecting();
    }

    /** Forgets the connection after a call on it failed, so the next caller connects again. */
    void failed() {
        CompletableFuture<T> connection = current.get();
        // A connect still under way is kept: starting another would only wait behind it.
        if (connection != null && connection.isDone()) {
            current.compareAndSet(connection, null);
        }
    }

    /** No connection in time: the connect is still under way. */
    static final class NotConnectedException extends TimeoutException {

        private static final long serialVersionUID = 1L;

        NotConnectedException() {
            super("not connected to Redis yet");
        }
    }

    private CompletableFuture<T> connecting() {
        while (true) {
            CompletableFuture<T> connection = current.get();
            if (connection != null && !connection.isCompletedExceptionally()) {
                return connection;
            }
            CompletableFuture<T> next = new CompletableFuture<>();
            if (current.compareAndSet(connection, next)) {
                Thread connector = new Thread(() -> {
                    try {
                        next.complete(connect.get());
                    }
                    catch (Throwable ex) {
                        // Errors too (a class missing from an optional driver): a connect that
                        // never completed would never be tried again.
                        next.completeExceptionally(ex);
                    }
                }, "crossbridge-redis-connect");
                connector.setDaemon(true);
                connector.start();
                return next;
            }
        }
    }
}
