package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.lettuce.core.SocketOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster of the test's own on loopback: {@code redis-server} processes in cluster mode,
 * joined by {@code redis-cli --cluster create}, masters and their replicas, stopped and deleted
 * on close. Skipped with the reason where no {@code redis-server} or {@code redis-cli} is
 * installed (.ci/run installs Debian's, which has both), as {@link RedisTestMode} says.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final String server;

    private final String cli;

    private final Path directory;

    private final int replicasEach;

    /** How long a node may be unreachable before the others fail it over. */
    private final Duration nodeTimeout;

    /** Whether every node refuses every key while some slot has no master (Redis's default). */
    private final boolean requireFullCoverage;

    /** Each node's process, by port, in the order they were started. */
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();

    private final Set<Integer> hung = ConcurrentHashMap.newKeySet();

    /** Kills the nodes should the tests' JVM end without closing the cluster. */
    private final Thread killOnExit = new Thread(this::killAll, "redis-cluster-stop");

    private RedisCluster(String server, String cli, Path directory, int replicasEach, Duration nodeTimeout,
            boolean requireFullCoverage) {
        this.server = server;
        this.cli = cli;
        this.directory = directory;
        this.replicasEach = replicasEach;
        this.nodeTimeout = nodeTimeout;
        this.requireFullCoverage = requireFullCoverage;
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts {@code masters} masters, each with {@code replicasEach} replicas, and waits until the cluster is ok. */
    public static RedisCluster start(int masters, int replicasEach) throws Exception {
        // Redis's default: long enough that a loaded machine never fails a node over by mistake.
        return start(masters, replicasEach, Duration.ofSeconds(15), true);
    }

    /**
     * Starts the cluster with a node timeout of its own (after it, a master that does not answer
     * is failed over to its replica), and with or without {@code cluster-require-full-coverage}:
     * with it, as Redis has it by default, every node answers {@code CLUSTERDOWN} for every key
     * while a master is down and not yet replaced.
     */
    public static RedisCluster start(int masters, int replicasEach, Duration nodeTimeout, boolean requireFullCoverage)
            throws Exception {
        RedisTestMode.skipWhenOff();
        String server = RedisProcess.executable();
        String cli = RedisProcess.findOnPath("redis-cli");
        if (server == null || cli == null) {
            RedisTestMode.unavailable("no redis-server and redis-cli on the PATH for a Redis Cluster of the test's own");
        }
        RedisCluster cluster = new RedisCluster(server, cli, Files.createTempDirectory("crossbridge-cluster-"),
                replicasEach, nodeTimeout, requireFullCoverage);
        try {
            for (int i = 0; i < masters * (1 + replicasEach); i++) {
                cluster.startNode();
            }
            List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
            cluster.nodes.keySet().forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", Integer.toString(replicasEach), "--cluster-yes"));
            LocalProcesses.run(create, Duration.ofSeconds(60), cluster.directory);
            // A node may not answer yet (redis-cli then fails): asked again until the deadline.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(cluster::settled);
            return cluster;
        }
        catch (Exception | Error ex) {
            try {
                cluster.close();
            }
            catch (Exception cleanup) {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
    }

    /** The nodes as {@code spring.data.redis.cluster.nodes} takes them. */
    public List<String> nodes() {
        return nodes.keySet().stream().map(port -> "127.0.0.1:" + port).toList();
    }

    /** The ports of the nodes that are masters now, hung ones left out. */
    public List<Integer> masters() {
        return nodes.keySet().stream().filter(port -> nodes.get(port).isAlive() && !hung.contains(port))
                .filter(port -> info(port, "replication").contains("role:master")).toList();
    }

    /**
     * A started Lettuce factory for the cluster, as Boot builds one from
     * {@code spring.data.redis.cluster.nodes} with adaptive topology refresh; the caller destroys it.
     */
    public LettuceConnectionFactory connectionFactory() {
        ClusterClientOptions options = ClusterClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofSeconds(1)).build())
                .build();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisClusterConfiguration(nodes()),
                LettuceClientConfiguration.builder().commandTimeout(COMMAND_TIMEOUT).clientOptions(options).build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** The node's answer to {@code INFO section}, or "" when it does not answer. */
    public String info(int port, String section) {
        try {
            return cli(port, "info", section);
        }
        catch (IOException ex) {
            return "";
        }
    }

    /** Runs {@code redis-cli} against one node and returns what it printed. */
    public String cli(int port, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(cli, "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        return LocalProcesses.run(command, Duration.ofSeconds(10), directory);
    }

    /** The node's cluster id. */
    public String id(int port) throws IOException {
        return cli(port, "cluster", "myid").trim();
    }

    /**
     * Moves {@code slots} slots, with their keys, from one master to another as an operator does
     * ({@code redis-cli --cluster reshard}: {@code CLUSTER SETSLOT} importing and migrating,
     * {@code MIGRATE} of each slot's keys, then {@code SETSLOT NODE}); returns when they moved.
     */
    public void reshard(int from, int to, int slots) throws IOException {
        LocalProcesses.run(List.of(cli, "--cluster", "reshard", "127.0.0.1:" + from, "--cluster-from", id(from), "--cluster-to",
                id(to), "--cluster-slots", Integer.toString(slots), "--cluster-yes"), Duration.ofMinutes(3), directory);
    }

    /**
     * Which master serves each slot now, as the live node {@code asked} sees the cluster: the
     * master's port, by slot.
     */
    public int[] slotMasters(int asked) throws IOException {
        int[] masters = new int[16_384];
        for (String line : cli(asked, "cluster", "nodes").lines().toList()) {
            String[] fields = line.trim().split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
            for (int i = 8; i < fields.length; i++) {
                if (fields[i].startsWith("[")) {
                    // A slot being imported or migrated, not served here yet.
                    continue;
                }
                String[] range = fields[i].split("-");
                int first = Integer.parseInt(range[0]);
                int last = range.length == 2 ? Integer.parseInt(range[1]) : first;
                for (int slot = first; slot <= last; slot++) {
                    masters[slot] = port;
                }
            }
        }
        return masters;
    }

    /** Kills a node at once, as a crashed machine leaves it. */
    public void kill(int port) throws InterruptedException {
        Process node = nodes.get(port);
        node.destroyForcibly();
        node.waitFor(20, TimeUnit.SECONDS);
    }

    /**
     * Stops a node where it is ({@code SIGSTOP}), as a machine that hangs leaves it: its
     * connections stay open and nothing answers. Closing the cluster kills it.
     */
    public void hang(int port) throws IOException {
        LocalProcesses.run(List.of("kill", "-STOP", Long.toString(nodes.get(port).pid())), Duration.ofSeconds(10),
                directory);
        hung.add(port);
    }

    /** How many keys matching {@code pattern} the node holds. */
    public long keysOn(int port, String pattern) throws IOException {
        return cli(port, "--scan", "--pattern", pattern).lines().filter(line -> !line.isBlank()).count();
    }

    /**
     * How often the node answered a redirection of {@code kind} ({@code ASK} or {@code MOVED}),
     * from {@code INFO errorstats}.
     */
    public long redirections(int port, String kind) throws IOException {
        String prefix = "errorstat_" + kind + ":count=";
        return cli(port, "info", "errorstats").lines().map(String::trim).filter(line -> line.startsWith(prefix))
                .mapToLong(line -> Long.parseLong(line.substring(prefix.length()))).sum();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
        killAll();
        for (Process node : nodes.values()) {
            node.waitFor(20, TimeUnit.SECONDS);
        }
        LocalProcesses.delete(directory);
    }

    private void killAll() {
        nodes.values().forEach(Process::destroyForcibly);
    }

    /** Starts a node on a free pair of ports, on another pair should one be taken meanwhile. */
    private void startNode() throws IOException {
        String log = "";
        for (int tries = 0; tries < 3; tries++) {
            int port = LocalProcesses.freePort(10_000);
            Path output = directory.resolve("node-" + port + ".log");
            Process node = new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                    "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
                    "--cluster-require-full-coverage", requireFullCoverage ? "yes" : "no", "--dir", directory.toString(),
                    "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            // Kept from the start, so that a node that never listens is stopped with the others.
            nodes.put(port, node);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !node.isAlive() || info(port, "server").contains("redis_version"));
            if (node.isAlive()) {
                return;
            }
            nodes.remove(port);
            log = Files.readString(output);
        }
        throw new IOException("redis-server in cluster mode exited three times before it listened: " + log);
    }

    /** Every live node sees the cluster ok, and every master has its replicas, in sync. */
    private boolean settled() throws IOException {
        for (int port : nodes.keySet()) {
            if (nodes.get(port).isAlive() && !cli(port, "cluster", "info").contains("cluster_state:ok")) {
                return false;
            }
        }
        for (int port : masters()) {
            String replication = info(port, "replication");
            if (replication.split("state=online", -1).length - 1 != replicasEach) {
                return false;
            }
        }
        return true;
    }
}
