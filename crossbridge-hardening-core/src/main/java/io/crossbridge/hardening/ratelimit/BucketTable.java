package io.crossbridge.hardening.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The buckets of one limit: a hash table from key to {@link Gcra} word, with no object per
 * bucket. A bucket costs one key reference and one {@code long} per slot, at a load of one third
 * to two thirds: 18 to 36 bytes, where a {@code ConcurrentHashMap} of bucket objects costs about
 * 64 (node, bucket object and table slot).
 *
 * <h2>Layout</h2>
 * {@value #SEGMENTS} segments, chosen by the high bits of the key's spread hash. Each holds two
 * parallel arrays, keys and words, probed linearly from the low bits; a {@code null} key ends a
 * probe. A segment grows (or shrinks) by rehashing into new arrays.
 *
 * <h2>Hash flooding</h2>
 * {@code String.hashCode()} is cached by the string and costs nothing, but a client that chooses
 * its key can choose many with one hash code ("Aa" and "BB" hash alike, and so do all strings
 * made of them), which would all probe one run of one segment: each lookup O(n) comparisons,
 * each insert too. So a segment whose insert meets a probe longer than {@value #LONG_PROBE} slots,
 * most of them keys with the new key's hash code, rehashes into arrays probed by a keyed hash of
 * the key's characters (SipHash-1-3, with a key drawn at random per table), which such a client
 * cannot aim at. A function of {@code hashCode()} could
 * not help: the colliding keys share it. The keyed hash costs a pass over the characters, so
 * only segments that met a long probe pay it.
 *
 * <h2>Concurrency protocol</h2>
 * <ul>
 * <li>Takes and reads are lock-free: find the slot, then read or compare-and-set its word.</li>
 * <li>Structural changes (insert, retire, rehash) hold the segment's monitor.</li>
 * <li>Within one pair of arrays a slot never changes key: a retired slot stays a tombstone (key
 * kept, word {@link Gcra#RETIRED}) until the next rehash, and a new bucket for the same key takes
 * a new slot. So a lock-free reader that matched a key can never update another key's bucket.</li>
 * <li>Insert writes the word, then publishes the key with release semantics; readers read keys
 * with acquire semantics, so a matching key implies an initialized word.</li>
 * <li>Rehash swaps every word of the old arrays to {@link Gcra#MOVED} before copying the live
 * ones, then publishes the new arrays through a volatile field. A take that loses its
 * compare-and-set to the swap sees {@code MOVED}, waits for the monitor (the rehash is then
 * done) and starts over; a take that won before the swap is copied. No take is lost.</li>
 * </ul>
 */
final class BucketTable {

    /** The result of {@link #take} when the key has no live bucket. */
    static final long ABSENT = Long.MIN_VALUE + 2;

    private static final int SEGMENT_BITS = 4;

    private static final int SEGMENTS = 1 << SEGMENT_BITS;

    private static final int MIN_CAPACITY = 8;

    /** Slots per block, the unit a sweep at the bound visits. */
    private static final int BLOCK = 64;

    /** A probe longer than this on insert makes its segment switch to the keyed hash. */
    static final int LONG_PROBE = 48;

    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(String[].class);

    private final Segment[] segments = new Segment[SEGMENTS];

    BucketTable() {
        // Drawn per table, never shown: what a flooding client would need to aim at the keyed hash.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        KeyedHash keyedHash = new KeyedHash(random.nextLong(), random.nextLong());
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment(keyedHash);
        }
    }

    /**
     * Takes {@code cost} from the bucket of {@code key}, as {@link Gcra#take}, or returns
     * {@link #ABSENT}.
     */
    long take(String key, long now, long cost, long span) {
        int hash = spread(key.hashCode());
        Segment segment = segments[hash >>> (32 - SEGMENT_BITS)];
        for (;;) {
            Slots slots = segment.slots;
            int index = slots.find(key, hash);
            if (index < 0) {
                return ABSENT;
            }
            long outcome = Gcra.take(slots.words, index, now, cost, span);
            if (outcome == Gcra.MOVED) {
                segment.awaitRehash();
            }
            else if (outcome != Gcra.RETIRED) {
                return outcome;
            }
        }
    }

    /**
     * Returns the theoretical arrival time of the bucket of {@code key}, or {@link Gcra#RETIRED}
     * when it has none.
     */
    long theoreticalArrival(String key) {
        int hash = spread(key.hashCode());
        Segment segment = segments[hash >>> (32 - SEGMENT_BITS)];
        for (;;) {
            Slots slots = segment.slots;
            int index = slots.find(key, hash);
            long tat = index < 0 ? Gcra.RETIRED : Gcra.read(slots.words, index);
            if (tat != Gcra.MOVED) {
                return tat;
            }
            segment.awaitRehash();
        }
    }

    /**
     * Adds a bucket for {@code key} holding {@code tat}, unless it has one.
     *
     * @return whether the bucket was added
     */
    boolean insert(String key, long tat) {
        int hash = spread(key.hashCode());
        Segment segment = segments[hash >>> (32 - SEGMENT_BITS)];
        synchronized (segment) {
            if (segment.slots.find(key, hash) >= 0) {
                return false;
            }
            if (segment.used + 1 > segment.slots.maxUsed()) {
                segment.rehash(segment.live + 1);
            }
            if (segment.slots.add(key, hash, tat) && segment.slots.keyedHash == null) {
                segment.rehashKeyed();
            }
            // Plain comparisons: times are held within +/-2^61 (InMemoryRateLimiter), and the
            // bound starts at Long.MAX_VALUE.
            if (tat < segment.nextFullAt) {
                segment.nextFullAt = tat;
            }
            segment.used++;
            segment.live++;
            return true;
        }
    }

    /**
     * Drops the bucket of {@code key}, whatever it holds.
     *
     * @return whether there was one
     */
    boolean retire(String key) {
        int hash = spread(key.hashCode());
        Segment segment = segments[hash >>> (32 - SEGMENT_BITS)];
        synchronized (segment) {
            Slots slots = segment.slots;
            int index = slots.find(key, hash);
            if (index < 0) {
                return false;
            }
            Gcra.replace(slots.words, index, Gcra.RETIRED);
            segment.live--;
            return true;
        }
    }

    /**
     * Drops every bucket that is full at {@code now} and shrinks segments left mostly empty. Only
     * segments whose {@linkplain Segment#nextFullAt bound} has come are visited: the others
     * cannot hold a full bucket.
     *
     * @param firstOnly stop at the first segment that dropped a bucket, for a new key at the bound
     * @return how many were dropped; {@link #earliestBound()} then says when the next can go
     */
    int retireFull(long now, boolean firstOnly) {
        int dropped = 0;
        for (Segment segment : segments) {
            if (now < segment.nextFullAt) {
                continue;
            }
            int droppedHere;
            synchronized (segment) {
                droppedHere = segment.retireFull(now, firstOnly);
            }
            dropped += droppedHere;
            if (firstOnly && droppedHere > 0) {
                break;
            }
        }
        return dropped;
    }

    /** The earliest of the segments' bounds: no bucket here is full before it. */
    long earliestBound() {
        long earliest = Long.MAX_VALUE;
        for (Segment segment : segments) {
            earliest = Math.min(earliest, segment.nextFullAt);
        }
        return earliest;
    }

    /**
     * Drops every bucket.
     *
     * @return how many there were
     */
    int retireAll() {
        int dropped = 0;
        for (Segment segment : segments) {
            synchronized (segment) {
                Slots slots = segment.slots;
                for (int i = 0; i < slots.keys.length; i++) {
                    if (slots.keys[i] != null && Gcra.replace(slots.words, i, Gcra.RETIRED) != Gcra.RETIRED) {
                        dropped++;
                    }
                }
                segment.live = 0;
                segment.nextFullAt = Long.MAX_VALUE;
                segment.rehash(0);
            }
        }
        return dropped;
    }

    /**
     * Returns the number of live buckets.
     */
    int size() {
        int size = 0;
        for (Segment segment : segments) {
            size += segment.live;
        }
        return size;
    }

    private static int spread(int hashCode) {
        int h = hashCode * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private static final class Segment {

        private final KeyedHash keyedHash;

        volatile Slots slots = new Slots(MIN_CAPACITY, null);

        /**
         * No bucket here is full before this time: lowered under this monitor when a bucket is
         * made, recomputed exactly by each sweep of the segment. A take only moves a bucket's
         * time later, so the bound stays a lower bound between sweeps.
         */
        volatile long nextFullAt = Long.MAX_VALUE;

        /** Slots holding a key, tombstones included. Guarded by this. */
        int used;

        /** Slots holding a live bucket. Written under this, read anywhere for stats. */
        volatile int live;

        Segment(KeyedHash keyedHash) {
            this.keyedHash = keyedHash;
        }

        /**
         * Drops the buckets full at {@code now}, visiting only the blocks of slots whose bound has
         * come, shrinks the arrays when left mostly empty, and makes the bound exact for the
         * blocks it swept. Holds this.
         *
         * @param firstOnly stop sweeping after the first block that dropped a bucket: at the
         *                  bound one slot is wanted, and a block costs {@value #BLOCK} slots
         * @return how many were dropped
         */
        int retireFull(long now, boolean firstOnly) {
            Slots current = slots;
            int dropped = 0;
            long earliest = Long.MAX_VALUE;
            for (int block = 0; block < current.blockBounds.length; block++) {
                if (now < current.blockBounds[block] || (firstOnly && dropped > 0)) {
                    earliest = Math.min(earliest, current.blockBounds[block]);
                    continue;
                }
                long blockEarliest = Long.MAX_VALUE;
                int end = Math.min(current.keys.length, (block + 1) * BLOCK);
                for (int i = block * BLOCK; i < end; i++) {
                    if (current.keys[i] == null) {
                        continue;
                    }
                    if (Gcra.retireIfFull(current.words, i, now)) {
                        live--;
                        dropped++;
                    }
                    else {
                        long tat = Gcra.read(current.words, i);
                        if (tat != Gcra.RETIRED) {
                            blockEarliest = Math.min(blockEarliest, tat);
                        }
                    }
                }
                current.blockBounds[block] = blockEarliest;
                earliest = Math.min(earliest, blockEarliest);
            }
            nextFullAt = earliest;
            if (live <= current.keys.length / 8 && current.keys.length > MIN_CAPACITY) {
                rehash(live);
            }
            return dropped;
        }

        /**
         * Copies the live buckets into arrays sized for {@code expected} of them, probed by the
         * same hash as now. Holds this.
         */
        void rehash(int expected) {
            rehash(expected, slots.keyedHash);
        }

        /** Rehashes into arrays probed by the keyed hash, for good. Holds this. */
        void rehashKeyed() {
            rehash(live, keyedHash);
        }

        private void rehash(int expected, KeyedHash probing) {
            Slots old = slots;
            Slots fresh = new Slots(Slots.capacityFor(expected), probing);
            for (int i = 0; i < old.keys.length; i++) {
                String key = old.keys[i];
                if (key != null) {
                    long tat = Gcra.replace(old.words, i, Gcra.MOVED);
                    if (tat != Gcra.RETIRED) {
                        fresh.add(key, spread(key.hashCode()), tat);
                    }
                }
            }
            used = live;
            slots = fresh;
        }

        /** Returns once no rehash holds this segment. */
        void awaitRehash() {
            synchronized (this) {
                // Entering the monitor is the wait; the rehash's writes are visible after it.
            }
        }
    }

    private static final class Slots {

        final String[] keys;

        final long[] words;

        final int mask;

        /** The keyed hash these arrays are probed by, or null for the spread {@code hashCode()}. */
        final KeyedHash keyedHash;

        /**
         * Per block of {@value #BLOCK} slots, no bucket in it is full before this time: lowered
         * when a bucket is added, made exact by a sweep of the block. Guarded by the segment's
         * monitor; lets a sweep at the bound visit a block, not a whole segment.
         */
        final long[] blockBounds;

        Slots(int capacity, KeyedHash keyedHash) {
            this.keys = new String[capacity];
            this.words = new long[capacity];
            this.mask = capacity - 1;
            this.keyedHash = keyedHash;
            this.blockBounds = new long[(capacity + BLOCK - 1) / BLOCK];
            Arrays.fill(blockBounds, Long.MAX_VALUE);
        }

        private int start(String key, int hash) {
            return (keyedHash == null ? hash : keyedHash.hash(key)) & mask;
        }

        /** The smallest power of two at least {@link #MIN_CAPACITY} and twice {@code expected}. */
        static int capacityFor(int expected) {
            int capacity = MIN_CAPACITY;
            while (capacity < expected * 2L) {
                capacity <<= 1;
            }
            return capacity;
        }

        /** Probes stay short while at most two thirds of the slots hold a key. */
        int maxUsed() {
            return keys.length / 3 * 2;
        }

        /** Returns the slot of the live (or moved) bucket of {@code key}, or -1. */
        int find(String key, int hash) {
            int hashCode = key.hashCode();
            for (int i = start(key, hash);; i = (i + 1) & mask) {
                String candidate = (String) KEYS.getAcquire(keys, i);
                if (candidate == null) {
                    return -1;
                }
                if (matches(candidate, key, hashCode) && Gcra.read(words, i) != Gcra.RETIRED) {
                    return i;
                }
            }
        }

        /**
         * Compares the cached hash codes before the characters: a probe passes other keys, and
         * {@code equals} on another key reads its byte array, one more cache miss per probed
         * slot in a large table; the hash code is a field of the string already read.
         */
        private static boolean matches(String candidate, String key, int hashCode) {
            return candidate == key || (candidate.hashCode() == hashCode && candidate.equals(key));
        }

        /**
         * Puts a key known to be absent into the first empty slot. Holds the segment's monitor.
         *
         * @return whether the probe was flooded: longer than {@link #LONG_PROBE} slots, most of
         *         them holding keys with this key's {@code hashCode()}. A long probe among
         *         random keys happens now and then in a large segment and is no attack.
         */
        boolean add(String key, int hash, long tat) {
            int i = start(key, hash);
            int probed = 0;
            int sameHashCode = 0;
            while (keys[i] != null) {
                if (keys[i].hashCode() == key.hashCode()) {
                    sameHashCode++;
                }
                i = (i + 1) & mask;
                probed++;
            }
            words[i] = tat;
            KEYS.setRelease(keys, i, key);
            if (tat < blockBounds[i / BLOCK]) {
                blockBounds[i / BLOCK] = tat;
            }
            return probed > LONG_PROBE && sameHashCode > probed / 2;
        }
    }
}
