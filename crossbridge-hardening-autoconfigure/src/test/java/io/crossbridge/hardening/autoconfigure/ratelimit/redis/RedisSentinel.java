package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A master, its replica and three sentinels of the test's own on loopback, watching the master
 * as {@link #MASTER}: the sentinels are {@code redis-server --sentinel}, so no
 * {@code redis-sentinel} package is needed. Stopped and deleted on close; skipped with the reason
 * where no {@code redis-server} or {@code redis-cli} is installed, as {@link RedisTestMode} says.
 */
public final class RedisSentinel implements AutoCloseable {

    /** The name the sentinels know the master by: {@code spring.data.redis.sentinel.master}. */
    public static final String MASTER = "crossbridge";

    /** How long the master may not answer before a sentinel thinks it down. */
    private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

    private final String server;

    private final String cli;

    private final Path directory;

    private final List<Process> processes = new ArrayList<>();

    private int masterPort;

    private int replicaPort;

    private final List<Integer> sentinelPorts = new ArrayList<>();

    private Process master;

    /** Kills the processes should the tests' JVM end without closing them. */
    private final Thread killOnExit = new Thread(this::killAll, "redis-sentinel-stop");

    private RedisSentinel(String server, String cli, Path directory) {
        this.server = server;
        this.cli = cli;
        this.directory = directory;
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts the master, its replica and the sentinels, and waits until all know each other. */
    public static RedisSentinel start() throws Exception {
        RedisTestMode.skipWhenOff();
        String server = RedisProcess.executable();
        String cli = RedisProcess.findOnPath("redis-cli");
        if (server == null || cli == null) {
            RedisTestMode.unavailable("no redis-server and redis-cli on the PATH for Redis Sentinel of the test's own");
        }
        RedisSentinel sentinel = new RedisSentinel(server, cli, Files.createTempDirectory("crossbridge-sentinel-"));
        try {
            sentinel.masterPort = sentinel.startServer();
            sentinel.master = sentinel.processes.get(sentinel.processes.size() - 1);
            sentinel.replicaPort = sentinel.startServer("--replicaof", "127.0.0.1", Integer.toString(sentinel.masterPort));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> sentinel.cli(sentinel.replicaPort, "info", "replication").contains("master_link_status:up"));
            for (int i = 0; i < 3; i++) {
                sentinel.startSentinel();
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(sentinel::watching);
            return sentinel;
        }
        catch (Exception | Error ex) {
            try {
                sentinel.close();
            }
            catch (Exception cleanup) {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
    }

    /** The sentinels as {@code spring.data.redis.sentinel.nodes} takes them. */
    public List<String> sentinels() {
        return sentinelPorts.stream().map(port -> "127.0.0.1:" + port).toList();
    }

    public int masterPort() {
        return masterPort;
    }

    public int replicaPort() {
        return replicaPort;
    }

    /** The port of the master the sentinels name now. */
    public int currentMasterPort() throws IOException {
        List<String> address = cli(sentinelPorts.get(0), "sentinel", "get-master-addr-by-name", MASTER).lines()
                .filter(line -> !line.isBlank()).toList();
        return Integer.parseInt(address.get(1).trim());
    }

    /** Kills the first master at once, as a crashed machine leaves it. */
    public void killMaster() throws InterruptedException {
        master.destroyForcibly();
        master.waitFor(20, TimeUnit.SECONDS);
    }

    /** Runs {@code redis-cli} against one server or sentinel and returns what it printed. */
    public String cli(int port, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(cli, "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        return LocalProcesses.run(command, Duration.ofSeconds(10), directory);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
        killAll();
        for (Process process : processes) {
            process.waitFor(20, TimeUnit.SECONDS);
        }
        LocalProcesses.delete(directory);
    }

    private void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    /** Every sentinel sees the master up, its replica, and the two other sentinels. */
    private boolean watching() throws IOException {
        for (int port : sentinelPorts) {
            String master = cli(port, "sentinel", "master", MASTER);
            if (!master.contains("num-slaves\n1\n") || !master.contains("num-other-sentinels\n2\n")
                    || master.contains("s_down") || master.contains("o_down")) {
                return false;
            }
        }
        return true;
    }

    /** Starts a server on a free port, and returns the port. */
    private int startServer(String... options) throws IOException {
        return startOnFreePort(port -> {
            List<String> command = new ArrayList<>(List.of(server, "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.toString()));
            command.addAll(List.of(options));
            return command;
        });
    }

    private void startSentinel() throws IOException {
        sentinelPorts.add(startOnFreePort(port -> {
            // A sentinel rewrites its configuration as it learns, so it needs a file of its own.
            Path config = directory.resolve("sentinel-" + port + ".conf");
            Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + directory,
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + masterPort + " 2",
                    "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER + " 10000", "sentinel parallel-syncs " + MASTER + " 1", ""));
            return List.of(server, config.toString(), "--sentinel");
        }));
    }

    /**
     * Starts the command a port makes, on a free port below the ephemeral range, on another one
     * should it be taken meanwhile; returns the port it listens on.
     */
    private int startOnFreePort(Command command) throws IOException {
        String log = "";
        for (int tries = 0; tries < 3; tries++) {
            int port = LocalProcesses.freePort(0);
            Path output = directory.resolve("process-" + port + ".log");
            List<String> line = command.on(port);
            Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            // Kept from the start, so that a process that never answers is stopped with the others.
            processes.add(process);
            await().atMost(Duration.ofSeconds(20)).until(() -> !process.isAlive() || answers(port));
            if (process.isAlive()) {
                return port;
            }
            processes.remove(process);
            log = String.join(" ", line) + " exited with " + process.exitValue() + ": " + Files.readString(output);
        }
        throw new IOException("three tries failed, the last: " + log);
    }

    /** A process's command line, for the port it is to listen on. */
    private interface Command {

        List<String> on(int port) throws IOException;
    }

    private boolean answers(int port) {
        try {
            return cli(port, "ping").contains("PONG");
        }
        catch (IOException ex) {
            return false;
        }
    }
}
