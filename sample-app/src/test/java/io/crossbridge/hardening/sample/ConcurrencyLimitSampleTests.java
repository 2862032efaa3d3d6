package io.crossbridge.hardening.sample;

import com.jayway.jsonpath.JsonPath;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's transform endpoint under its two concurrency limits, on the real clock (the
 * adaptive limit times real calls): the provider's latency, injected by fault injection, drives
 * the adaptive limit down and load in time drives it back up, both visible in
 * {@code /actuator/concurrency} and the meters; a caller's third transform in flight is 429.
 * Every call uses its own API key, so the per-key rate limit of transforms never refuses one.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "crossbridge.hardening.health.interval=1h",
        "crossbridge.hardening.concurrency.limits.transform-provider.slow-call-duration=500ms" })
class ConcurrencyLimitSampleTests {

    private static final AtomicInteger KEYS = new AtomicInteger();

    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private Faults faults;

    @Test
    void injectedLatencyLowersTheProvidersLimitAndLoadInTimeRaisesItAgain() throws Exception {
        int before = providerLimit();
        faults.set(new Faults.Settings(0, 700, false, 0, 0, 1));
        for (int i = 0; i < 3; i++) {
            assertThat(transform("slow-" + KEYS.incrementAndGet()).join().statusCode()).isEqualTo(200);
        }
        int lowered = providerLimit();
        assertThat(lowered).isLessThan(before);
        assertThat(gauge("crossbridge.concurrency.limit")).isEqualTo(lowered);

        // Fast, and enough at once that half the limit is used: each limit's worth of calls in
        // time adds one. Rounds until it grew, since a call held up past 500 ms by a busy machine
        // counts as slow and cuts it again.
        faults.set(new Faults.Settings(0, 50, false, 0, 0, 1));
        for (int round = 0; round < 20 && providerLimit() <= lowered; round++) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(transform("fast-" + KEYS.incrementAndGet()));
            }
            calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));
        }
        faults.set(Faults.Settings.NONE);
        assertThat(providerLimit()).isGreaterThan(lowered);
        assertThat(JsonPath.<Integer>read(get("/actuator/concurrency/transform-provider"), "$.inFlight")).isZero();
    }

    @Test
    void aCallersThirdTransformInFlightIs429() throws Exception {
        faults.set(new Faults.Settings(0, 2000, false, 0, 0, 1));
        try {
            String key = "busy-" + KEYS.incrementAndGet();
            CompletableFuture<HttpResponse<String>> first = transform(key);
            CompletableFuture<HttpResponse<String>> second = transform(key);
            await().atMost(Duration.ofSeconds(10)).until(() -> JsonPath.<Integer>read(
                    get("/actuator/concurrency/transform-per-key"), "$.keyedInFlight") == 2);

            HttpResponse<String> third = transform(key).join();

            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JsonPath.<String>read(third.body(), "$.limit")).isEqualTo("transform-per-key");
            assertThat(third.body()).doesNotContain(key);
            assertThat(first.join().statusCode()).isEqualTo(200);
            assertThat(second.join().statusCode()).isEqualTo(200);
        }
        finally {
            faults.set(Faults.Settings.NONE);
        }
    }

    private int providerLimit() throws Exception {
        return JsonPath.read(get("/actuator/concurrency/transform-provider"), "$.limit");
    }

    private double gauge(String name) throws Exception {
        return JsonPath.<Double>read(get("/actuator/metrics/" + name + "?tag=name:transform-provider"),
                "$.measurements[0].value");
    }

    private CompletableFuture<HttpResponse<String>> transform(String apiKey) {
        return client.sendAsync(HttpRequest.newBuilder(uri("/api/transform")).header("Content-Type", "application/json")
                .header("X-API-Key", apiKey).POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"print(1)\",\"target\":\"java\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
