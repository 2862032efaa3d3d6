package io.crossbridge.hardening.sample;

import com.jayway.jsonpath.JsonPath;
import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog;
import io.crossbridge.hardening.health.HealthRegistry;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample application end to end over real HTTP. The limiter's clock is the test's, so the
 * 31st search of a minute is rejected however slowly the machine runs. The test runs health
 * monitoring's rounds itself ({@link HealthRegistry#runAll()}); the scheduled ones are an hour
 * apart, so none runs behind the test's back.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "crossbridge.hardening.health.interval=1h",
        "crossbridge.hardening.health.failure-threshold=3",
        "crossbridge.hardening.circuit-breaker.instances.primary.wait-in-open=200ms",
        "crossbridge.hardening.retry.policies.search.base-delay=0ms",
        "crossbridge.hardening.retry.policies.search.max-delay=0ms" })
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

    private static final AtomicLong NOW = new AtomicLong();

    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private RateLimiter rateLimiter;

    @Autowired
    private Faults faults;

    @Autowired
    private CircuitBreakerCatalog circuitBreakers;

    @Autowired
    private HealthRegistry health;

    @BeforeEach
    void awaitTheFirstMonitoringRound() {
        // Run by monitoring as it starts, on its own thread.
        await().atMost(Duration.ofSeconds(10)).until(() -> health.lastResult("provider").isPresent()
                && health.lastResult("vectorStore").isPresent());
    }

    @AfterEach
    void clearFaultsBucketsAndCircuits() {
        faults.set(Faults.Settings.NONE);
        rateLimiter.resetAll();
        circuitBreakers.all().forEach(io.crossbridge.hardening.circuitbreaker.CircuitBreaker::reset);
    }

    @Test
    void healthIsUpWithTheProviderAndVectorStoreChecks() throws Exception {
        HttpResponse<String> health = get("/actuator/health", null);

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(read(health, "$.status")).isEqualTo("UP");
        assertThat(read(health, "$.components.crossbridge.components.provider.status")).isEqualTo("UP");
        assertThat(read(health, "$.components.crossbridge.components.vectorStore.status")).isEqualTo("UP");
        assertThat(rateLimiter).isInstanceOf(InMemoryRateLimiter.class);
    }

    @Test
    void thirtyFirstSearchOfAUserWithinAMinuteIs429WhileAnotherUserPasses() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertThat(get("/api/search?q=cats", "alice").statusCode()).isEqualTo(200);
        }

        HttpResponse<String> rejected = get("/api/search?q=cats", "alice");
        HttpResponse<String> other = get("/api/search?q=cats", "bob");

        assertThat(rejected.statusCode()).isEqualTo(429);
        assertThat(rejected.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(rejected.headers().firstValue("RateLimit-Policy")).hasValue("\"search\";q=30;w=60");
        assertThat(rejected.headers().firstValue("RateLimit")).hasValue("\"search\";r=0;t=2");
        assertThat(read(rejected, "$.type")).isEqualTo("https://iana.org/assignments/http-problem-types#quota-exceeded");
        assertThat(JsonPath.<List<String>>read(rejected.body(), "$.violated-policies")).containsExactly("search");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("RateLimit")).hasValue("\"search\";r=29;t=2");
    }

    @Test
    void everyEndpointHasTheLimitOfItsUrlRule() throws Exception {
        HttpResponse<String> embed = post("/api/embed", "alice", "{\"texts\":[\"hello\",\"world\"]}");
        HttpResponse<String> transform = post("/api/transform", "alice", "{\"code\":\"print(1)\",\"target\":\"java\"}");

        assertThat(embed.statusCode()).isEqualTo(200);
        assertThat(embed.headers().firstValue("RateLimit-Policy")).hasValue("\"embed\";q=60;w=60");
        assertThat(transform.statusCode()).isEqualTo(200);
        assertThat(transform.headers().firstValue("RateLimit-Policy")).hasValue("\"transform\";q=10;w=60");
    }

    @Test
    void requestWithoutAnApiKeyIsRejected() throws Exception {
        HttpResponse<String> missing = get("/api/search?q=cats", null);

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(read(missing, "$.detail")).contains("the X-API-Key header");
    }

    @Test
    void injectedTransientFaultsAreRetriedAndCounted() throws Exception {
        double before = retriedSearches();
        post("/demo/faults", null, "{\"failNext\": 2}");

        HttpResponse<String> search = get("/api/search?q=dogs", "carol");

        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(retriedSearches()).isEqualTo(before + 1);
    }

    @Test
    void embedIsRetriedThroughTheProvidersReal503s() throws Exception {
        double before = retries("embed", "success_with_retry");
        post("/demo/faults", null, "{\"failNext\": 2}");

        HttpResponse<String> embed = post("/api/embed", "dave", "{\"texts\":[\"hello\"]}");

        assertThat(embed.statusCode()).isEqualTo(200);
        assertThat(faults.arrivals("embed")).as("two 503s, then the answer").hasSize(3);
        assertThat(retries("embed", "success_with_retry")).isEqualTo(before + 1);
    }

    @Test
    void embedWaitsForTheProvidersRetryAfterOnA429(CapturedOutput output) throws Exception {
        post("/demo/faults", null, "{\"rateLimitNext\": 1, \"retryAfterSeconds\": 1}");

        HttpResponse<String> embed = post("/api/embed", "dave", "{\"texts\":[\"hello\"]}");

        assertThat(embed.statusCode()).isEqualTo(200);
        List<Instant> arrivals = faults.arrivals("embed");
        assertThat(arrivals).hasSize(2);
        assertThat(Duration.between(arrivals.get(0), arrivals.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(output).contains("Retrying DemoAiProvider.embed (policy 'embed'): attempt 1 failed with "
                + "org.springframework.web.client.HttpClientErrorException$TooManyRequests, attempt 2 in 1000 ms");
    }

    @Test
    void aRetryAfterBeyondThePolicysMaxDelayIsAnsweredAtOnce(CapturedOutput output) throws Exception {
        double before = retries("embed", "failed_retry_after_too_long");
        post("/demo/faults", null, "{\"rateLimitNext\": 1, \"retryAfterSeconds\": 5}");

        HttpResponse<String> embed = post("/api/embed", "dave", "{\"texts\":[\"hello\"]}");

        assertThat(embed.statusCode()).isEqualTo(503);
        assertThat(embed.headers().firstValue("Retry-After")).as("the provider's, passed on").hasValue("5");
        assertThat(faults.arrivals("embed")).hasSize(1);
        assertThat(retries("embed", "failed_retry_after_too_long")).isEqualTo(before + 1);
        assertThat(output).contains("Gave up retrying DemoAiProvider.embed (policy 'embed') after 1 attempts "
                + "(RETRY_AFTER_TOO_LONG); last failure: org.springframework.web.client.HttpClientErrorException$TooManyRequests");
    }

    @Test
    void outageDrivesHealthToDegradedThenDownThenBackUp() throws Exception {
        post("/demo/faults", null, "{\"outage\": true}");

        health.runAll();
        assertThat(read(get("/actuator/health", null), "$.status")).isEqualTo("DEGRADED");

        health.runAll();
        health.runAll();
        HttpResponse<String> down = get("/actuator/health", null);
        assertThat(read(down, "$.status")).isEqualTo("DOWN");
        assertThat(down.statusCode()).isEqualTo(503);

        client.send(HttpRequest.newBuilder(uri("/demo/faults")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        health.runAll();

        assertThat(read(get("/actuator/health", null), "$.status")).isEqualTo("UP");
    }

    @Test
    void searchSwitchesToTheSecondaryProviderDuringAnOutageAndBackAfterRecovery() throws Exception {
        post("/demo/faults", null, "{\"outage\": true}");

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> search = get("/api/search?q=cats", "erin");
            assertThat(search.statusCode()).isEqualTo(200);
            assertThat(JsonPath.<List<String>>read(search.body(), "$.results")).allMatch(r -> r.startsWith("secondary"));
        }
        assertThat(read(get("/actuator/circuitbreakers/primary", null), "$.state")).isEqualTo("OPEN");

        client.send(HttpRequest.newBuilder(uri("/demo/faults")).DELETE().build(), HttpResponse.BodyHandlers.ofString());

        // Once the wait in the open state is over, trial calls reach the recovered primary; two
        // good ones close the circuit.
        NOW.addAndGet(Duration.ofMillis(200).toNanos());
        for (int trial = 0; trial < 2; trial++) {
            assertThat(JsonPath.<List<String>>read(get("/api/search?q=cats", "erin").body(), "$.results"))
                    .allMatch(r -> r.startsWith("result"));
        }
        assertThat(read(get("/actuator/circuitbreakers/primary", null), "$.state")).isEqualTo("CLOSED");
    }

    private double retriedSearches() throws Exception {
        return retries("search", "success_with_retry");
    }

    private double retries(String method, String outcome) throws Exception {
        HttpResponse<String> metric = get("/actuator/metrics/crossbridge.retry.calls?tag=name:DemoAiProvider." + method
                + "&tag=outcome:" + outcome, null);
        if (metric.statusCode() == 404) {
            return 0;
        }
        return JsonPath.<Double>read(metric.body(), "$.measurements[0].value");
    }

    private HttpResponse<String> get(String path, String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String apiKey, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static String read(HttpResponse<String> response, String path) {
        return JsonPath.read(response.body(), path);
    }

    /**
     * The test's clock, which moves only when a test moves it: the in-memory limiter's, and the
     * circuit breakers'.
     */
    @TestConfiguration
    static class TestClock {

        @Bean
        Ticker ticker() {
            return NOW::get;
        }

        @Bean
        RateLimiter rateLimiter(Ticker ticker) {
            return InMemoryRateLimiter.builder().ticker(ticker).build();
        }
    }
}
