package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisRateLimiter;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's recipe for instances that share their limits: a {@code redis-server} of the test's
 * own, and two sample instances on two ports with the {@code redis} profile. Searches of one key
 * go to either instance in turn; the 31st is answered 429 by whichever gets it, while another key
 * passes. Skipped without a {@code redis-server} on the {@code PATH}, or failed where
 * {@code CROSSBRIDGE_REDIS=required} (as in CI); skipped with {@code CROSSBRIDGE_REDIS=off}.
 */
class SharedLimitSampleTests {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void twoInstancesOnOneRedisAnswerTheThirtyFirstSearchOfAKey429() throws Exception {
        String executable = redisServer();
        int redisPort = freePort();
        Process redis = new ProcessBuilder(executable, "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !redis.isAlive() || listening(redisPort));
            assertThat(redis.isAlive()).as("redis-server on port %d", redisPort).isTrue();
            // The search limit over an hour rather than a minute, so that nothing refills while
            // the test runs, however slowly; its own prefix, should the Redis be shared.
            String[] arguments = { "--server.port=0", "--spring.data.redis.url=redis://127.0.0.1:" + redisPort,
                    "--crossbridge.hardening.rate-limit.limits.search.window=1h",
                    "--crossbridge.hardening.rate-limit.redis.key-prefix=sample-" + UUID.randomUUID(),
                    "--crossbridge.hardening.health.interval=1h" };
            try (ConfigurableApplicationContext first = start(arguments);
                    ConfigurableApplicationContext second = start(arguments)) {
                List<Integer> ports = List.of(port(first), port(second));

                for (int search = 1; search <= 30; search++) {
                    assertThat(search(ports.get(search % 2), "alice").statusCode()).as("search %d", search)
                            .isEqualTo(200);
                }
                HttpResponse<String> refused = search(ports.get(31 % 2), "alice");

                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                assertThat(search(ports.get(0), "bob").statusCode()).isEqualTo(200);
                assertThat(search(ports.get(1), "alice").statusCode()).as("the other instance").isEqualTo(429);
            }
        }
        finally {
            redis.destroy();
            redis.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static ConfigurableApplicationContext start(String[] arguments) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).profiles("redis")
                .run(arguments);
        // The store connects in the background as it starts: a decision before that would get
        // on-failure (allow) and take no token.
        await().atMost(Duration.ofSeconds(30)).until(context.getBean(RedisRateLimiter.class)::ping);
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    private HttpResponse<String> search(int port, String apiKey) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/search?q=rate"))
                .header("X-API-Key", apiKey).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The redis-server on the PATH; the test is skipped (or failed where Redis is required) without one. */
    private static String redisServer() {
        String mode = System.getenv().getOrDefault("CROSSBRIDGE_REDIS", "auto").trim();
        Assumptions.assumeFalse(mode.equalsIgnoreCase("off"), "Redis test skipped: switched off by CROSSBRIDGE_REDIS=off");
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(directory, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        if (mode.equalsIgnoreCase("required")) {
            throw new AssertionError("CROSSBRIDGE_REDIS=required, but there is no redis-server on the PATH");
        }
        Assumptions.abort("Redis test skipped: no redis-server on the PATH for the sample's shared-limit recipe");
        return null;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
