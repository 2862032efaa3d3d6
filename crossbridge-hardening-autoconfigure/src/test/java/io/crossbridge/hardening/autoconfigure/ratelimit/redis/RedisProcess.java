package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A {@code redis-server} process of a test's own, on a free port, that the test can stop and start
 * again to play an outage; also the shared test server where nothing else is found
 * ({@link RedisTestServer}). Skipped with the reason where no {@code redis-server} is installed
 * (.ci/run installs Debian's), as {@link RedisTestMode} says.
 */
final class RedisProcess implements AutoCloseable {

    private final String executable;

    private final int port;

    private Process process;

    private RedisProcess(String executable, int port) {
        this.executable = executable;
        this.port = port;
    }

    static RedisProcess start() throws IOException {
        RedisTestMode.skipWhenOff();
        String executable = executable();
        if (executable == null) {
            RedisTestMode.unavailable("no redis-server on the PATH for a server of the test's own");
        }
        RedisProcess redis = new RedisProcess(executable, freePort());
        redis.startAgain();
        return redis;
    }

    int port() {
        return port;
    }

    void startAgain() throws IOException {
        // DEBUG allowed from this machine only, to freeze the server (see freeze).
        process = new ProcessBuilder(executable, "--port", Integer.toString(port), "--save", "", "--appendonly", "no",
                "--enable-debug-command", "local")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process started = process;
        try {
            // A server that exited (a port taken meanwhile, an option it does not know) ends the wait.
            await().atMost(Duration.ofSeconds(20)).until(() -> listening() || !started.isAlive());
        }
        finally {
            if (!listening()) {
                started.destroyForcibly();
            }
        }
        if (!started.isAlive()) {
            throw new IOException("redis-server exited with " + started.exitValue() + " before it listened on " + port);
        }
    }

    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !listening());
    }

    /**
     * Makes the server answer nothing for the duration, as a Redis busy with a slow command does:
     * a {@code DEBUG SLEEP} sent on a connection of its own, which the caller closes.
     */
    Socket freeze(Duration duration) throws IOException {
        Socket socket = new Socket("localhost", port);
        String command = "DEBUG SLEEP " + duration.toSeconds() + "\r\n";
        socket.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket("localhost", port)) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The {@code redis-server} on the {@code PATH}, or null. */
    static String executable() {
        return findOnPath("redis-server");
    }

    /** The executable {@code name} on the {@code PATH}, or null. */
    static String findOnPath(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(directory, name);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }
}
