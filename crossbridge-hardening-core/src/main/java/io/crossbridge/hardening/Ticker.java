package io.crossbridge.hardening;

/**
 * A source of nanosecond time readings, as {@link System#nanoTime()} gives them.
 * <p>
 * Only differences between two readings of the same ticker mean anything. Injecting a
 * fake ticker lets tests move time forward (or backward) without sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the current reading, in nanoseconds.
     */
    long read();

    /**
     * Returns the ticker backed by {@link System#nanoTime()}.
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}
