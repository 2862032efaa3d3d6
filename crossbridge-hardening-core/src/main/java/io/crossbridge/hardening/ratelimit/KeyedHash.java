package io.crossbridge.hardening.ratelimit;

/**
 * SipHash-1-3 of a string's UTF-16 characters under a secret 128-bit key: a hash that a client
 * who does not know the key cannot make collide on purpose (Aumasson and Bernstein, "SipHash: a
 * fast short-input PRF", 2012; one compression and three finalization rounds, as Rust's and
 * Python's hash tables use). Four characters make one 64-bit word; the last word carries the
 * length in bytes.
 */
final class KeyedHash {

    private final long k0;

    private final long k1;

    KeyedHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    int hash(String key) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        int length = key.length();
        int words = length / 4;
        // One SipRound per step: a compression round per word, the last word (the remaining
        // characters and the length) included, then three finalization rounds.
        for (int step = 0; step <= words + 3; step++) {
            long m = step < words ? word(key, step * 4) : step == words ? lastWord(key, words * 4) : 0;
            if (step <= words) {
                v3 ^= m;
            }
            else if (step == words + 1) {
                v2 ^= 0xff;
            }
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
            if (step <= words) {
                v0 ^= m;
            }
        }
        long h = v0 ^ v1 ^ v2 ^ v3;
        return (int) (h ^ (h >>> 32));
    }

    private static long word(String key, int at) {
        return key.charAt(at) | (long) key.charAt(at + 1) << 16 | (long) key.charAt(at + 2) << 32
                | (long) key.charAt(at + 3) << 48;
    }

    /** The characters after the last whole word, with the length in bytes in the top byte. */
    private static long lastWord(String key, int at) {
        long last = (long) (key.length() * 2) << 56;
        for (int shift = 0; at < key.length(); at++, shift += 16) {
            last |= (long) key.charAt(at) << shift;
        }
        return last;
    }
}
