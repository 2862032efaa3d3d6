package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the Redis store knows about its own failures. After a failure, calls skip Redis for a
 * short pause and get the configured on-failure answer at once, so that an outage costs each
 * request nothing rather than a timeout; the first call after the pause tries Redis again, so a
 * server that is back is used again without a restart. Failures are counted by {@link Kind} and
 * logged at most once per {@link #LOG_EVERY}, with the number left unlogged, so an outage cannot
 * flood the log.
 * <p>
 * The pause is kept per {@link Node}: on Redis Cluster, per master, so that a master down costs
 * only the decisions on its slots, and the other masters' keys are asked as before. A single
 * Redis, or Sentinel's current master, is one node.
 * <p>
 * Only a decision that Redis made ends a node's failing state: a Redis that answers {@code PING}
 * but refuses the script (out of memory, a read-only replica) is still failing, and health says
 * so.
 * <p>
 * A node's state is a few volatile fields, not one atomic value, and two races are accepted for
 * it: a failure that began before a success and ends after it marks the node failing again (it is
 * paused once more, and the next decision after the pause asks Redis), and health forgetting a
 * master that no longer holds slots may race with a decision still on its way to it (whose
 * failure then reaches no health report; the master is replaced anyway).
 */
final class StoreFailures {

    /** How long calls skip Redis after a failure, unless configured otherwise. */
    static final Duration DEFAULT_PAUSE = Duration.ofMillis(500);

    /** Least time between two failure log lines. */
    static final Duration LOG_EVERY = Duration.ofSeconds(10);

    /** How long after its last failed decision a node counts as failing, without decisions since. */
    static final Duration RECENT = Duration.ofSeconds(30);

    private static final Log logger = LogFactory.getLog(StoreFailures.class);

    /** Why a call failed: Redis did not answer in time, could not be reached, or answered with an error. */
    enum Kind {

        TIMEOUT, CONNECTION, COMMAND;

        /** The name in meters and logs. */
        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);

    private final AtomicLong unloggedSince = new AtomicLong();

    private final Duration pause;

    private final LongSupplier nanoTime;

    /** The store as one: a single Redis, or a cluster whose topology is not known yet. */
    private final Node store = new Node(null);

    /** A cluster's masters, by address, as decisions reach them. */
    private final Map<String, Node> masters = new ConcurrentHashMap<>();

    /** When the last failure was logged; set so that the first one is logged at once. */
    private final AtomicLong lastLoggedNanos;

    /** Whether a failure was logged that no "decides again" line has answered yet. */
    private final AtomicBoolean reported = new AtomicBoolean();

    StoreFailures(Duration pause) {
        this(pause, System::nanoTime);
    }

    StoreFailures(Duration pause, LongSupplier nanoTime) {
        this.pause = pause;
        this.nanoTime = nanoTime;
        this.lastLoggedNanos = new AtomicLong(nanoTime.getAsLong() - LOG_EVERY.toNanos() - 1);
        for (Kind kind : Kind.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    Duration pause() {
        return pause;
    }

    /**
     * Where a decision goes: the master at {@code address} ({@code host:port}), or the store as
     * one when {@code address} is null.
     */
    Node node(String address) {
        if (address == null) {
            return store;
        }
        Node master = masters.get(address);
        return master != null ? master : masters.computeIfAbsent(address, Node::new);
    }

    /** Whether the node is one cluster master, rather than the store as one. */
    boolean isMaster(Node node) {
        return node != store;
    }

    /** Whether a call to the node should skip Redis now. */
    boolean pausing(Node node) {
        return node.failing && nanoTime.getAsLong() - node.skipUntilNanos < 0;
    }

    void failed(Node node, Kind kind, Exception failure) {
        counts.get(kind).increment();
        long now = nanoTime.getAsLong();
        node.skipUntilNanos = now + pause.toNanos();
        node.lastFailedNanos = now;
        String described = kind.tag() + ", " + describe(failure);
        node.lastFailure = described;
        node.failing = true;
        // At most one line per LOG_EVERY, claimed by one thread, however the store flaps between
        // failing and deciding (a cluster shard down while the others answer): a line per change
        // of state flooded the log, and two threads failing at once both logged.
        long last = lastLoggedNanos.get();
        if (now - last > LOG_EVERY.toNanos() && lastLoggedNanos.compareAndSet(last, now)) {
            reported.set(true);
            long unlogged = unloggedSince.getAndSet(0);
            logger.warn("Redis rate-limit store cannot decide" + node.on() + " (" + described + ")"
                    + (unlogged > 0 ? "; " + unlogged + " more failures since the last report" : "")
                    + "; requests get the on-failure answer until it recovers");
        }
        else {
            unloggedSince.incrementAndGet();
        }
    }

    /** Redis answered a {@code PING}: the next decision may ask it again, before the pause ends. */
    void answeredPing() {
        long now = nanoTime.getAsLong();
        store.skipUntilNanos = now;
        masters.values().forEach(master -> master.skipUntilNanos = now);
    }

    /**
     * A decision Redis made on the node: it works again, and so does the store as one (it has a
     * connection). The store is logged as deciding again, when its failure was, once no node is
     * failing as health counts it ({@link #RECENT}): while a cluster master is down, the others'
     * decisions are no recovery, and a master replaced by its replica, which no decision reaches
     * any more, stops counting {@link #RECENT} after its last failure.
     */
    void succeeded(Node node) {
        if (node.failing) {
            node.failing = false;
        }
        if (node != store && store.failing) {
            store.failing = false;
        }
        if (reported.get() && noneFailing() && reported.compareAndSet(true, false)) {
            logger.info("Redis rate-limit store decides again");
        }
    }

    private boolean noneFailing() {
        long now = nanoTime.getAsLong();
        if (store.failingSince(now)) {
            return false;
        }
        for (Node master : masters.values()) {
            if (master.failingSince(now)) {
                return false;
            }
        }
        return true;
    }

    /**
     * What failed, when the last decision on the store, or on any cluster master, failed within
     * {@link #RECENT}, none succeeding since; else null. Each master is named, as in
     * {@code "on 10.0.0.7:6379: timeout, ..."}. A master that {@code stillServes} denies (its replica took its slots over) is
     * forgotten.
     */
    RecentFailure recentFailure(Predicate<String> stillServes) {
        long now = nanoTime.getAsLong();
        List<String> failing = new ArrayList<>();
        if (store.failingSince(now)) {
            failing.add(store.lastFailure);
        }
        masters.values().removeIf(master -> !stillServes.test(master.address));
        boolean onMasters = false;
        for (Node master : masters.values().stream().sorted(Comparator.comparing(node -> node.address)).toList()) {
            if (master.failingSince(now)) {
                failing.add("on " + master.address + ": " + master.lastFailure);
                onMasters = true;
            }
        }
        return failing.isEmpty() ? null : new RecentFailure(String.join("; ", failing), onMasters);
    }

    /** What failed recently, and whether on named cluster masters. */
    record RecentFailure(String description, boolean onMasters) {
    }

    /** Failures of every kind since startup. */
    long count() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Failures of one kind since startup. */
    long count(Kind kind) {
        return counts.get(kind).sum();
    }

    private static String describe(Exception failure) {
        Throwable cause = failure.getCause() != null && failure instanceof ExecutionException ? failure.getCause()
                : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    }

    /** One place decisions go: the store as one, or a cluster's master. */
    static final class Node {

        private final String address;

        private volatile boolean failing;

        private volatile long skipUntilNanos;

        private volatile long lastFailedNanos;

        private volatile String lastFailure;

        private Node(String address) {
            this.address = address;
        }

        private boolean failingSince(long now) {
            return failing && now - lastFailedNanos < RECENT.toNanos();
        }

        private String on() {
            return address != null ? " on " + address : "";
        }
    }
}
