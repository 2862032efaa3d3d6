package io.crossbridge.hardening.concurrency;

/** The checks every adaptive limit makes of its bounds. */
final class Bounds {

    private Bounds() {
    }

    static void check(int initial, int min, int max) {
        if (min < 1) {
            throw new IllegalArgumentException("min must be at least 1, was " + min);
        }
        if (max < min) {
            throw new IllegalArgumentException("max must be at least min (" + min + "), was " + max);
        }
        if (initial < min || initial > max) {
            throw new IllegalArgumentException("the initial limit must be in [min, max] = [" + min + ", " + max
                    + "], was " + initial);
        }
    }
}
