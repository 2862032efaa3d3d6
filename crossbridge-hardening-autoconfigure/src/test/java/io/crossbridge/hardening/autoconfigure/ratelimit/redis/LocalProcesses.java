package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What {@link RedisCluster} and {@link RedisSentinel} both need of the machine: commands, ports, a scratch directory. */
final class LocalProcesses {

    /** Where Linux starts handing out ports to outgoing connections. */
    private static final int EPHEMERAL = 32_768;

    private LocalProcesses() {
    }

    /**
     * Runs a command to its end, within the timeout, and returns what it printed; fails when it
     * exits with an error. Its output goes to a file in {@code directory}, not a pipe: a reshard
     * prints a line per slot, more than a pipe holds unread.
     */
    static String run(List<String> command, Duration timeout, Path directory) throws IOException {
        Path output = Files.createTempFile(directory, "command-", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within " + timeout);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " interrupted", ex);
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with " + process.exitValue() + ": " + printed);
        }
        return printed;
    }

    /**
     * A free port from 10,000 whose companion {@code offset} above it is free too (a cluster
     * node's bus port; 0 for none), both below the ephemeral range, so that no outgoing
     * connection takes either before the server binds it.
     */
    static int freePort(int offset) throws IOException {
        for (int tries = 0; tries < 100; tries++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, EPHEMERAL - offset);
            if (free(port) && (offset == 0 || free(port + offset))) {
                return port;
            }
        }
        throw new IOException("no free port from 10000 below " + (EPHEMERAL - offset) + " with " + offset + " above");
    }

    /** Deletes the directory and everything in it. */
    static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }
}
