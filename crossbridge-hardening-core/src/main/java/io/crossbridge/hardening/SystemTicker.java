package io.crossbridge.hardening;

/**
 * The production {@link Ticker}: a singleton so that call sites stay monomorphic.
 */
enum SystemTicker implements Ticker {

    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
