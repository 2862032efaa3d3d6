package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.AsyncFailures;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce: every call goes over the factory's one shared connection, which Lettuce multiplexes
 * (concurrent calls are pipelined) and reconnects by itself. A call hands its command to
 * Lettuce's I/O thread and waits on the reply's future until the deadline; an asynchronous call
 * waits for nothing, and has its reply on Lettuce's I/O thread (or its timeout on Reactor's
 * timer).
 * <p>
 * The connection is made off the caller's thread ({@link BackgroundConnect}), and kept: asking
 * the factory per call takes its lock and allocates a wrapper. It is asked for again after a
 * failure, in case the factory replaced it.
 * <p>
 * On Redis Cluster, the master of a key's slot is read from the topology Lettuce keeps for its
 * routing (refreshed as the factory's {@code spring.data.redis.lettuce.cluster.refresh.*} say),
 * so that the store can keep the failures of one master apart from the others'.
 */
final class LettuceDriver implements RedisDriver {

    private static final Log logger = LogFactory.getLog(LettuceDriver.class);

    private final LettuceConnectionFactory factory;

    private final long timeoutNanos;

    private final BackgroundConnect<RedisClusterAsyncCommands<byte[], byte[]>> connection;

    private final boolean cluster;

    /** Masters' addresses by node id, made once rather than per decision. */
    private final Map<String, NodeAddress> addresses = new ConcurrentHashMap<>();

    LettuceDriver(RedisConnectionFactory factory, Duration timeout) {
        this.factory = (LettuceConnectionFactory) factory;
        this.timeoutNanos = timeout.toNanos();
        this.cluster = this.factory.isClusterAware();
        if (cluster && !followsTopology(this.factory)) {
            logger.warn("The Redis rate-limit store is on a Redis Cluster whose client does not refresh its "
                    + "topology periodically: after a failover, decisions on the failed master's slots fail until a "
                    + "restart, or for up to 30 s with adaptive refresh alone. Set "
                    + "spring.data.redis.lettuce.cluster.refresh.period (1s, say) and refresh.adaptive: true");
        }
        this.connection = new BackgroundConnect<>(this::connect);
    }

    /**
     * Whether Lettuce refreshes the cluster's topology periodically: adaptive refreshes alone run
     * at most once per 30 s, the first as a master is lost (before its replica is promoted), and
     * none for a master that hangs with its connections open.
     */
    private static boolean followsTopology(LettuceConnectionFactory factory) {
        ClientOptions options = factory.getClientConfiguration().getClientOptions().orElse(null);
        return options instanceof ClusterClientOptions clusterOptions
                && clusterOptions.getTopologyRefreshOptions().isPeriodicRefreshEnabled();
    }

    static boolean supports(RedisConnectionFactory factory) {
        return factory instanceof LettuceConnectionFactory;
    }

    @Override
    public List<Object> run(LuaScript script, byte[] key, byte[]... args) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        RedisClusterAsyncCommands<byte[], byte[]> redis = connection.get(deadline);
        byte[][] keys = { key };
        try {
            return await(redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args), deadline);
        }
        catch (ExecutionException ex) {
            if (!(ex.getCause() instanceof RedisNoScriptException)) {
                throw ex;
            }
            return await(redis.eval(script.source(), ScriptOutputType.MULTI, keys, args), deadline);
        }
    }

    @Override
    public CompletableFuture<List<Object>> runAsync(LuaScript script, byte[] key, byte[]... args) {
        byte[][] keys = { key };
        CompletableFuture<List<Object>> answer = new CompletableFuture<>();
        AtomicBoolean connected = new AtomicBoolean();
        AtomicReference<RedisFuture<?>> sent = new AtomicReference<>();
        CompletableFuture<List<Object>> reply = connection.whenConnected().thenCompose(redis -> {
            connected.set(true);
            if (answer.isDone()) {
                // Past the deadline already: the caller has its answer, and no token may be taken now.
                return CompletableFuture.<List<Object>>failedFuture(new TimeoutException("not sent: past the deadline"));
            }
            RedisFuture<List<Object>> evalsha = send(sent, answer, redis.evalsha(script.sha(), ScriptOutputType.MULTI,
                    keys, args));
            return evalsha.toCompletableFuture().exceptionallyCompose(failure -> {
                if (!(AsyncFailures.unwrap(failure) instanceof RedisNoScriptException) || answer.isDone()) {
                    return CompletableFuture.<List<Object>>failedFuture(failure);
                }
                return send(sent, answer, redis.<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keys, args))
                        .toCompletableFuture();
            });
        });
        // The deadline runs on Reactor's timer (Lettuce depends on Reactor), so that no thread
        // waits for the connect or the reply, and a late one is answered on a non-blocking thread.
        Disposable deadline = Schedulers.parallel().schedule(() -> {
            TimeoutException late = connected.get() ? new TimeoutException("Redis did not answer in time")
                    : new BackgroundConnect.NotConnectedException();
            if (answer.completeExceptionally(late)) {
                cancel(sent.get());
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        reply.whenComplete((value, failure) -> {
            deadline.dispose();
            if (failure == null) {
                answer.complete(value);
            }
            else {
                answer.completeExceptionally(AsyncFailures.unwrap(failure));
            }
        });
        return answer;
    }

    /** Keeps the command sent, and cancels it at once should the deadline have passed meanwhile. */
    private static <T> RedisFuture<T> send(AtomicReference<RedisFuture<?>> sent, CompletableFuture<?> answer,
            RedisFuture<T> command) {
        sent.set(command);
        if (answer.isDone()) {
            cancel(command);
        }
        return command;
    }

    /**
     * Completes the command's future, so that nothing waits on it; Lettuce still reads its reply,
     * which is dropped.
     */
    private static void cancel(RedisFuture<?> command) {
        if (command != null) {
            command.cancel(true);
        }
    }

    @Override
    public String masterOf(byte[] key) {
        if (!cluster) {
            return null;
        }
        try {
            Partitions partitions = partitions();
            RedisClusterNode master = partitions != null ? partitions.getMasterBySlot(SlotHash.getSlot(key)) : null;
            return master != null ? addressOf(master) : null;
        }
        catch (RuntimeException ex) {
            // Whatever Lettuce's topology does meanwhile, the decision goes on: for the store as one.
            return null;
        }
    }

    @Override
    public boolean serves(String address) {
        try {
            Partitions partitions = cluster ? partitions() : null;
            if (partitions == null) {
                return true;
            }
            for (RedisClusterNode node : partitions) {
                if (!node.hasNoSlots() && address.equals(addressOf(node))) {
                    return true;
                }
            }
            return false;
        }
        catch (RuntimeException ex) {
            return true;
        }
    }

    /**
     * The cluster's topology as Lettuce routes by it, once connected; never waits. Null once the
     * connection is closed (the factory stopped or replaced it): a failure then is the store's, not
     * a master's, and makes the store ask the factory for its connection again. Closed, not "not
     * open": a cluster connection is not open while its default node reconnects, which says
     * nothing of the other masters.
     */
    private Partitions partitions() {
        if (connection.now() instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> redis) {
            StatefulRedisClusterConnection<byte[], byte[]> shared = redis.getStatefulConnection();
            return shared instanceof RedisChannelHandler<?, ?> handler && handler.isClosed() ? null
                    : shared.getPartitions();
        }
        return null;
    }

    /**
     * A node's {@code host:port}, made once per node id and address: a node keeps its id when it
     * comes back on another address, which renames it.
     */
    private String addressOf(RedisClusterNode node) {
        RedisURI uri = node.getUri();
        if (uri == null) {
            return null;
        }
        String id = node.getNodeId();
        NodeAddress known = id != null ? addresses.get(id) : null;
        if (known != null && known.port() == uri.getPort() && known.host().equals(uri.getHost())) {
            return known.name();
        }
        NodeAddress made = new NodeAddress(uri.getHost(), uri.getPort(), uri.getHost() + ":" + uri.getPort());
        if (id != null) {
            addresses.put(id, made);
        }
        return made.name();
    }

    private record NodeAddress(String host, int port, String name) {
    }

    /**
     * On a cluster, every master that holds slots must answer, each over its own connection: the
     * cluster connection's own {@code PING} goes to one node of Lettuce's choosing, which may be a
     * replica, or a master that hung and was replaced since.
     */
    @Override
    public boolean ping() throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        RedisClusterAsyncCommands<byte[], byte[]> redis = connection.get(deadline);
        if (!(cluster && redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> advanced)) {
            return "PONG".equals(await(redis.ping(), deadline));
        }
        StatefulRedisClusterConnection<byte[], byte[]> shared = advanced.getStatefulConnection();
        List<CompletableFuture<String>> pongs = new ArrayList<>();
        for (RedisClusterNode node : shared.getPartitions()) {
            if (!node.hasNoSlots() && node.getNodeId() != null) {
                pongs.add(shared.getConnectionAsync(node.getNodeId())
                        .thenCompose(master -> master.async().ping().toCompletableFuture()));
            }
        }
        for (CompletableFuture<String> pong : pongs) {
            if (!"PONG".equals(pong.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))) {
                return false;
            }
        }
        return !pongs.isEmpty();
    }

    @Override
    public void failed() {
        connection.failed();
    }

    @Override
    public StoreFailures.Kind kindOf(Exception failure) {
        Throwable cause = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RedisCommandExecutionException) {
            return StoreFailures.Kind.COMMAND;
        }
        if ((cause instanceof TimeoutException && !(cause instanceof BackgroundConnect.NotConnectedException))
                || cause instanceof RedisCommandTimeoutException) {
            return StoreFailures.Kind.TIMEOUT;
        }
        // Not connected, a closed connection, a connect refused: the connection, whatever the type.
        return StoreFailures.Kind.CONNECTION;
    }

    private RedisClusterAsyncCommands<byte[], byte[]> connect() {
        try (RedisConnection redis = factory.getConnection()) {
            @SuppressWarnings("unchecked")
            RedisClusterAsyncCommands<byte[], byte[]> shared = (RedisClusterAsyncCommands<byte[], byte[]>) redis
                    .getNativeConnection();
            return shared;
        }
    }

    private static <T> T await(RedisFuture<T> future, long deadlineNanos) throws Exception {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            // Frees the command's slot; the answer, if it comes, is dropped.
            future.cancel(true);
            throw ex;
        }
    }
}
