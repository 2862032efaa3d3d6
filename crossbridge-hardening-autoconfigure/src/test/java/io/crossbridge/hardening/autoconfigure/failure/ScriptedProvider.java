package io.crossbridge.hardening.autoconfigure.failure;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HTTP provider on a loopback port (the JDK's own server), answering each request with the
 * next step of its script, the last step repeated, and taking the time each request arrived. A
 * test class registers one ({@code @RegisterExtension static}); it stops after the class.
 */
final class ScriptedProvider implements AfterAllCallback {

    private final HttpServer server;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    private final CountDownLatch released = new CountDownLatch(1);

    private final List<Step> script = new CopyOnWriteArrayList<>();

    private final List<Instant> arrivals = new CopyOnWriteArrayList<>();

    ScriptedProvider() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("could not open a loopback port for the provider", ex);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers the next requests with these steps in turn, the last one repeated. */
    ScriptedProvider script(Step... steps) {
        script.clear();
        script.addAll(List.of(steps));
        arrivals.clear();
        return this;
    }

    int requests() {
        return arrivals.size();
    }

    List<Instant> arrivals() {
        return new ArrayList<>(arrivals);
    }

    private void handle(HttpExchange exchange) throws IOException {
        int index = arrivals.size();
        arrivals.add(Instant.now());
        Step step = script.get(Math.min(index, script.size() - 1));
        exchange.getRequestBody().readAllBytes();
        if (step.hang()) {
            try {
                released.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        if (step.status() == 0) {
            // Closing before any response drops the connection: the client sees it end early.
            exchange.close();
            return;
        }
        step.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] body = step.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        if (step.cut()) {
            // Promises more than it sends: closing short drops the connection mid-body.
            exchange.sendResponseHeaders(step.status(), body.length + 1000);
            OutputStream out = exchange.getResponseBody();
            out.write(body);
            out.flush();
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(step.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    /**
     * One answer: a status with headers and a body, a dropped connection (status 0), no answer
     * until the provider closes, or a body cut short by a dropped connection.
     */
    record Step(int status, Map<String, String> headers, String body, boolean hang, boolean cut) {

        static Step status(int status, String... headerPairs) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (int i = 0; i < headerPairs.length; i += 2) {
                headers.put(headerPairs[i], headerPairs[i + 1]);
            }
            return new Step(status, headers, status == 200 ? "answer" : "status " + status, false, false);
        }

        static Step ok() {
            return status(200);
        }

        static Step dropConnection() {
            return new Step(0, Map.of(), "", false, false);
        }

        static Step neverAnswer() {
            return new Step(200, Map.of(), "too late", true, false);
        }

        /** A 200 whose body is these lines, one per element of a streamed answer. */
        static Step lines(String... lines) {
            return new Step(200, Map.of(), String.join("\n", lines) + "\n", false, false);
        }

        /** A 200 that sends these lines, then drops the connection before the body is complete. */
        static Step linesThenDrop(String... lines) {
            return new Step(200, Map.of(), String.join("\n", lines) + "\n", false, true);
        }
    }
}
