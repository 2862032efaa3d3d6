package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.Http;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full concurrency limit over real HTTP, on Tomcat and on Netty: 503 with {@code Retry-After}
 * when the limit over all calls is full (the provider's capacity), 429 when a caller's per-key
 * share is, both as problem+json naming the limit and never the key; and
 * {@code /actuator/concurrency} showing the call in flight.
 */
class ConcurrencyOverHttpTests {

    @Nested
    @SpringBootTest(classes = ServletApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "management.endpoints.web.exposure.include=concurrency",
            "crossbridge.hardening.concurrency.limits.provider.max-concurrent=1",
            "crossbridge.hardening.concurrency.limits.per-key.max-concurrent=1" })
    class Servlet {

        @LocalServerPort
        private int port;

        @Autowired
        private Gate gate;

        @Test
        void aFullLimitIs503WithRetryAfterAndAFullShareIs429() throws Exception {
            assertRefusals(port, gate);
        }
    }

    @Nested
    @ExtendWith(BlockHoundInstalled.class)
    @SpringBootTest(classes = ReactiveApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "spring.main.web-application-type=reactive", "management.endpoints.web.exposure.include=concurrency",
            "crossbridge.hardening.concurrency.limits.provider.max-concurrent=1",
            "crossbridge.hardening.concurrency.limits.per-key.max-concurrent=1" })
    class WebFlux {

        @LocalServerPort
        private int port;

        @Autowired
        private Gate gate;

        @Test
        void aFullLimitIs503WithRetryAfterAndAFullShareIs429() throws Exception {
            assertRefusals(port, gate);
        }
    }

    /** Holds the slow requests until the test has seen the refusals. */
    static final class Gate {

        final CountDownLatch entered = new CountDownLatch(2);

        final CountDownLatch release = new CountDownLatch(1);

        final Sinks.One<String> released = Sinks.one();

        void open() {
            release.countDown();
            released.tryEmitValue("done");
        }
    }

    private static void assertRefusals(int port, Gate gate) throws Exception {
        String path = "/slow";
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> first = client.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + path)).header("X-API-Key", "secret-key-1").build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> firstOfKey = client.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + path + "-per-key")).header("X-API-Key", "secret-key-1").build(),
                HttpResponse.BodyHandlers.ofString());
        // Both requests hold their places until released.
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Http http = new Http(port);

        Http.Response full = http.get(path, "X-API-Key", "secret-key-2");
        Http.Response share = http.get("/per-key", "X-API-Key", "secret-key-1");
        Http.Response otherKey = http.get("/per-key", "X-API-Key", "secret-key-2");
        Http.Response endpoint = http.get("/actuator/concurrency/provider");
        gate.open();

        assertThat(full.status()).isEqualTo(503);
        assertThat(full.header("Retry-After")).isEqualTo("1");
        assertThat(full.header("Content-Type")).startsWith("application/problem+json");
        assertThat(full.<Integer>read("$.status")).isEqualTo(503);
        assertThat(full.<String>read("$.limit")).isEqualTo("provider");
        assertThat(full.<String>read("$.detail")).contains("'provider' of 1 calls in flight is full");
        assertThat(share.status()).isEqualTo(429);
        assertThat(share.header("Retry-After")).isEqualTo("1");
        assertThat(share.<String>read("$.limit")).isEqualTo("per-key");
        assertThat(full.body() + share.body()).doesNotContain("secret-key");
        assertThat(otherKey.status()).isEqualTo(200);
        assertThat(endpoint.<Integer>read("$.inFlight")).isEqualTo(1);
        assertThat(endpoint.<Integer>read("$.limit")).isEqualTo(1);
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(firstOfKey.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/concurrency/provider").<Integer>read("$.inFlight")).isZero();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ServletApplication {

        @Bean
        Gate gate() {
            return new Gate();
        }

        @Bean
        ServletApi servletApi(Gate gate) {
            return new ServletApi(gate);
        }
    }

    @RestController
    static class ServletApi {

        private final Gate gate;

        ServletApi(Gate gate) {
            this.gate = gate;
        }

        @GetMapping("/slow")
        @ConcurrencyLimited(name = "provider")
        public String slow() throws InterruptedException {
            gate.entered.countDown();
            gate.release.await(10, TimeUnit.SECONDS);
            return "done";
        }

        @GetMapping("/slow-per-key")
        @ConcurrencyLimited(name = "per-key", key = "#apiKey")
        public String slowPerKey(@RequestHeader("X-API-Key") String apiKey) throws InterruptedException {
            return slow();
        }

        @GetMapping("/per-key")
        @ConcurrencyLimited(name = "per-key", key = "#apiKey")
        public String perKey(@RequestHeader("X-API-Key") String apiKey) {
            return "ok";
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ReactiveApplication {

        @Bean
        Gate gate() {
            return new Gate();
        }

        @Bean
        ReactiveApi reactiveApi(Gate gate) {
            return new ReactiveApi(gate);
        }
    }

    @RestController
    static class ReactiveApi {

        private final Gate gate;

        ReactiveApi(Gate gate) {
            this.gate = gate;
        }

        @GetMapping("/slow")
        @ConcurrencyLimited(name = "provider")
        public Mono<String> slow() {
            return Mono.defer(() -> {
                gate.entered.countDown();
                return gate.released.asMono();
            });
        }

        @GetMapping("/slow-per-key")
        @ConcurrencyLimited(name = "per-key", key = "#apiKey")
        public Mono<String> slowPerKey(@RequestHeader("X-API-Key") String apiKey) {
            return slow();
        }

        @GetMapping("/per-key")
        @ConcurrencyLimited(name = "per-key", key = "#apiKey")
        public Mono<String> perKey(@RequestHeader("X-API-Key") String apiKey) {
            return Mono.just("ok");
        }
    }
}
