package io.crossbridge.hardening.retry;

import java.util.concurrent.TimeUnit;

/**
 * Waits between attempts; tests pass one that only moves a fake clock.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits {@code nanos} nanoseconds, or until interrupted.
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Returns the sleeper that blocks the calling thread.
     */
    static Sleeper system() {
        return nanos -> {
            // Thread.sleep(0) would not notice an interrupt; a retry must.
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before waiting to retry");
            }
            TimeUnit.NANOSECONDS.sleep(nanos);
        };
    }
}
