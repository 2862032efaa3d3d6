package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.Http;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limiting over real HTTP: URL rules from properties, the 429 and 400 answers, the headers
 * of allowed responses, plans, and the client address. The limiter's clock is frozen, so no
 * bucket refills while a test runs.
 */
class HttpRateLimitTests {

    @Nested
    @SpringBootTest(classes = Application.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
            "crossbridge.hardening.rate-limit.limits.tiny.window=60s",
            "crossbridge.hardening.rate-limit.limits.roomy.capacity=5",
            "crossbridge.hardening.rate-limit.limits.roomy.window=60s",
            "crossbridge.hardening.rate-limit.http[0].path=/api/search",
            "crossbridge.hardening.rate-limit.http[0].methods=GET", "crossbridge.hardening.rate-limit.http[0].limit=tiny",
            "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key",
            "crossbridge.hardening.rate-limit.http[1].path=/api/plans",
            "crossbridge.hardening.rate-limit.http[1].limit=#request.getHeader('X-Plan') == 'pro' ? 'roomy' : 'tiny'",
            "crossbridge.hardening.rate-limit.http[1].key=header:X-API-Key",
            "crossbridge.hardening.rate-limit.http[2].path=/api/by-ip", "crossbridge.hardening.rate-limit.http[2].limit=tiny",
            "crossbridge.hardening.rate-limit.http[2].key=ip",
            "crossbridge.hardening.rate-limit.http[3].path=/api/async/**",
            "crossbridge.hardening.rate-limit.http[3].limit=tiny",
            "crossbridge.hardening.rate-limit.http[3].key=header:X-API-Key" })
    class Defaults {

        @LocalServerPort
        private int port;

        @Test
        void thirdRequestOfOneKeyGets429WithHeadersAndProblemWhileAnotherKeyPasses() {
            Http http = new Http(port);
            Http.Response first = http.get("/api/search?q=cats", "X-API-Key", "key-alice");
            http.get("/api/search?q=cats", "X-API-Key", "key-alice");

            Http.Response rejected = http.get("/api/search?q=cats", "X-API-Key", "key-alice");
            Http.Response other = http.get("/api/search?q=cats", "X-API-Key", "key-bob");

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("RateLimit-Policy")).isEqualTo("\"tiny\";q=2;w=60");
            assertThat(first.header("RateLimit")).isEqualTo("\"tiny\";r=1;t=30");
            assertThat(rejected.status()).isEqualTo(429);
            assertThat(rejected.header("Retry-After")).isEqualTo("30");
            assertThat(rejected.header("RateLimit-Policy")).isEqualTo("\"tiny\";q=2;w=60");
            assertThat(rejected.header("RateLimit")).isEqualTo("\"tiny\";r=0;t=30");
            assertThat(rejected.header("Content-Type")).startsWith("application/problem+json");
            assertThat(rejected.<String>read("$.type"))
                    .isEqualTo("https://iana.org/assignments/http-problem-types#quota-exceeded");
            assertThat(rejected.<Integer>read("$.status")).isEqualTo(429);
            assertThat(rejected.<List<String>>read("$.violated-policies")).containsExactly("tiny");
            assertThat(rejected.<Integer>read("$.retry-after")).isEqualTo(30);
            assertThat(rejected.<String>read("$.title")).isNotBlank();
            assertThat(rejected.<String>read("$.detail")).contains("'tiny'");
            assertThat(rejected.body()).doesNotContain("key-alice");
            assertThat(other.status()).isEqualTo(200);
        }

        @Test
        void headRequestsTakeTheirTokensUnderAGetRule() {
            Http http = new Http(port);
            assertThat(http.head("/api/search?q=x", "X-API-Key", "key-hector").status()).isEqualTo(200);
            assertThat(http.head("/api/search?q=x", "X-API-Key", "key-hector").status()).isEqualTo(200);

            assertThat(http.head("/api/search?q=x", "X-API-Key", "key-hector").status()).isEqualTo(429);
            assertThat(http.get("/api/search?q=x", "X-API-Key", "key-hector").status()).isEqualTo(429);
        }

        /** Spring MVC runs interceptors again on the dispatch of an asynchronous result. */
        @ParameterizedTest
        @ValueSource(strings = { "future", "callable", "deferred", "sse" })
        void asynchronousControllersTakeTheirTokensOnce(String kind) {
            Http http = new Http(port);
            String key = "key-async-" + kind;
            Http.Response first = http.get("/api/async/" + kind, "X-API-Key", key);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).contains("done");
            assertThat(http.get("/api/async/" + kind, "X-API-Key", key).status()).isEqualTo(200);

            assertThat(http.get("/api/async/" + kind, "X-API-Key", key).status()).isEqualTo(429);
        }

        @Test
        void requestWithoutItsKeyIsRejectedWith400() {
            Http.Response missing = new Http(port).get("/api/search?q=cats");

            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
            assertThat(missing.<String>read("$.detail")).contains("the X-API-Key header");
        }

        @Test
        void rulesApplyOnlyToTheirPathAndMethods() {
            Http http = new Http(port);
            for (int i = 0; i < 5; i++) {
                assertThat(http.get("/api/free").status()).isEqualTo(200);
            }
            assertThat(http.get("/api/free").header("RateLimit")).isNull();
        }

        @Test
        void planExpressionChoosesTheLimitPerRequest() {
            Http http = new Http(port);
            for (int i = 0; i < 4; i++) {
                assertThat(http.get("/api/plans", "X-API-Key", "pro-key", "X-Plan", "pro").status()).isEqualTo(200);
            }
            Http.Response pro = http.get("/api/plans", "X-API-Key", "pro-key", "X-Plan", "pro");
            Http.Response free = http.get("/api/plans", "X-API-Key", "free-key");

            assertThat(pro.status()).isEqualTo(200);
            assertThat(pro.header("RateLimit-Policy")).isEqualTo("\"roomy\";q=5;w=60");
            assertThat(free.header("RateLimit-Policy")).isEqualTo("\"tiny\";q=2;w=60");
            assertThat(http.get("/api/plans", "X-API-Key", "pro-key", "X-Plan", "pro").status()).isEqualTo(429);
        }

        @Test
        void spoofedForwardedForDoesNotChangeTheClientAddress() {
            Http http = new Http(port);
            http.get("/api/by-ip", "X-Forwarded-For", "198.51.100.1");
            http.get("/api/by-ip", "X-Forwarded-For", "198.51.100.2");

            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "198.51.100.3").status()).isEqualTo(429);
        }

        @Test
        void keysFromDifferentSourcesNeverShareABucket() {
            Http http = new Http(port);
            // A key expression that gives "collide" drains the expression's bucket under tiny...
            http.get("/api/annotated?user=collide");
            http.get("/api/annotated?user=collide");
            assertThat(http.get("/api/annotated?user=collide").status()).isEqualTo(429);
            // ...not the bucket of a client whose X-API-Key is "collide", under the same limit,
            assertThat(http.get("/api/search?q=x", "X-API-Key", "collide").status()).isEqualTo(200);
            // and a client cannot name a principal's bucket through the header or the expression.
            http.get("/api/annotated?user=principal:mallory");
            http.get("/api/annotated?user=principal:mallory");
            assertThat(http.get("/api/search?q=x", "X-API-Key", "principal:mallory").status()).isEqualTo(200);
        }

        @Test
        void rateLimitedControllerMethodAlsoAnswers429() {
            Http http = new Http(port);
            http.get("/api/annotated?user=carol");
            http.get("/api/annotated?user=carol");

            Http.Response rejected = http.get("/api/annotated?user=carol");

            assertThat(rejected.status()).isEqualTo(429);
            assertThat(rejected.header("Retry-After")).isEqualTo("30");
            assertThat(rejected.<List<String>>read("$.violated-policies")).containsExactly("tiny");
        }
    }

    @Nested
    @SpringBootTest(classes = { Application.class, OwnHandler.class }, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
                    "crossbridge.hardening.rate-limit.limits.tiny.window=60s",
                    "crossbridge.hardening.rate-limit.http[0].path=/api/search",
                    "crossbridge.hardening.rate-limit.http[0].limit=tiny",
                    "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key",
                    "crossbridge.hardening.rate-limit.http-headers=false" })
    class Customized {

        @LocalServerPort
        private int port;

        @Test
        void applicationsExceptionHandlerReplacesTheBodyAndAllowedHeadersCanBeOff() {
            Http http = new Http(port);
            Http.Response allowed = http.get("/api/search?q=x", "X-API-Key", "dave");
            http.get("/api/search?q=x", "X-API-Key", "dave");

            Http.Response rejected = http.get("/api/search?q=x", "X-API-Key", "dave");

            assertThat(allowed.header("RateLimit")).isNull();
            assertThat(rejected.status()).isEqualTo(503);
            assertThat(rejected.body()).isEqualTo("slow down, tiny");
        }
    }

    /** Behind one proxy that appends to X-Forwarded-For: only the entry it wrote is the client's. */
    @Nested
    @SpringBootTest(classes = Application.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
            "crossbridge.hardening.rate-limit.limits.tiny.window=60s",
            "crossbridge.hardening.rate-limit.client-address.trusted-proxies=1",
            "crossbridge.hardening.rate-limit.http[0].path=/api/by-ip", "crossbridge.hardening.rate-limit.http[0].limit=tiny",
            "crossbridge.hardening.rate-limit.http[0].key=ip" })
    class BehindAProxy {

        @LocalServerPort
        private int port;

        @Test
        void whatAClientWritesLeftOfTheProxysEntryDoesNotChangeItsKey() {
            Http http = new Http(port);
            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "198.51.100.1, 203.0.113.9").status()).isEqualTo(200);
            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "198.51.100.2, 203.0.113.9").status()).isEqualTo(200);

            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "198.51.100.3, 203.0.113.9").status()).isEqualTo(429);
            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "203.0.113.10").status()).isEqualTo(200);
        }

        @Test
        void anIpv6ClientIsOneClientAcrossItsSlash64() {
            Http http = new Http(port);
            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "2001:db8:1:2::1").status()).isEqualTo(200);
            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "2001:db8:1:2:ffff::9").status()).isEqualTo(200);

            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "2001:db8:1:2:abcd:1:2:3").status()).isEqualTo(429);
            assertThat(http.get("/api/by-ip", "X-Forwarded-For", "2001:db8:1:3::1").status()).isEqualTo(200);
        }
    }

    /** A rule over every path, so the error dispatch of a failed request reaches the interceptor too. */
    @Nested
    @SpringBootTest(classes = Application.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
            "crossbridge.hardening.rate-limit.limits.tiny.window=60s",
            "crossbridge.hardening.rate-limit.http[0].path=/**", "crossbridge.hardening.rate-limit.http[0].limit=tiny",
            "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key" })
    class EveryPath {

        @LocalServerPort
        private int port;

        @Test
        void aFailedRequestTakesItsTokensOnceThoughItIsDispatchedAgainToTheErrorPage() {
            Http http = new Http(port);
            assertThat(http.get("/api/boom", "X-API-Key", "key-ivan").status()).isEqualTo(500);
            assertThat(http.get("/api/boom", "X-API-Key", "key-ivan").status()).isEqualTo(500);

            assertThat(http.get("/api/boom", "X-API-Key", "key-ivan").status()).isEqualTo(429);
        }
    }

    /** An application's catch-all handler is for its own failures, not for a rate limit's 429 or 400. */
    @Nested
    @SpringBootTest(classes = { Application.class, CatchAllHandler.class }, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
                    "crossbridge.hardening.rate-limit.limits.tiny.window=60s",
                    "crossbridge.hardening.rate-limit.http[0].path=/api/search",
                    "crossbridge.hardening.rate-limit.http[0].limit=tiny",
                    "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key" })
    class CatchAll {

        @LocalServerPort
        private int port;

        @Test
        void aCatchAllExceptionHandlerLeaves429And400ToTheStarter() {
            Http http = new Http(port);
            http.get("/api/search?q=x", "X-API-Key", "key-judy");
            http.get("/api/search?q=x", "X-API-Key", "key-judy");

            Http.Response rejected = http.get("/api/search?q=x", "X-API-Key", "key-judy");
            assertThat(rejected.status()).isEqualTo(429);
            assertThat(rejected.header("Retry-After")).isEqualTo("30");
            assertThat(http.get("/api/search?q=x").status()).isEqualTo(400);
            assertThat(http.get("/api/boom").body()).as("the application's own failures").isEqualTo("oops");
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class Application {

        @Bean
        RateLimiter rateLimiter() {
            return InMemoryRateLimiter.builder().ticker(() -> 0L).build();
        }
    }

    @RestController
    static class Api {

        @GetMapping("/api/search")
        String search(@RequestParam String q) {
            return "results for " + q;
        }

        @GetMapping("/api/plans")
        String plans() {
            return "ok";
        }

        @GetMapping("/api/by-ip")
        String byIp() {
            return "ok";
        }

        @GetMapping("/api/free")
        String free() {
            return "ok";
        }

        @GetMapping("/api/boom")
        String boom() {
            throw new IllegalStateException("the handler failed");
        }

        @GetMapping("/api/async/future")
        CompletableFuture<String> future() {
            return CompletableFuture.supplyAsync(() -> "done");
        }

        @GetMapping("/api/async/callable")
        Callable<String> callable() {
            return () -> "done";
        }

        @GetMapping("/api/async/deferred")
        DeferredResult<String> deferred() {
            DeferredResult<String> result = new DeferredResult<>();
            CompletableFuture.runAsync(() -> result.setResult("done"));
            return result;
        }

        @GetMapping("/api/async/sse")
        SseEmitter sse() {
            SseEmitter emitter = new SseEmitter();
            CompletableFuture.runAsync(() -> {
                try {
                    emitter.send("done");
                    emitter.complete();
                }
                catch (IOException ex) {
                    emitter.completeWithError(ex);
                }
            });
            return emitter;
        }

        @GetMapping("/api/annotated")
        @RateLimited(limit = "tiny", key = "#user")
        public String annotated(@RequestParam String user) {
            return "ok";
        }
    }

    @RestControllerAdvice
    static class CatchAllHandler {

        @ExceptionHandler(Exception.class)
        ResponseEntity<String> anything(Exception ex) {
            return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body("oops");
        }
    }

    @RestControllerAdvice
    static class OwnHandler {

        @ExceptionHandler(RateLimitExceededException.class)
        ResponseEntity<String> tooMany(RateLimitExceededException ex) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("slow down, " + ex.limit().name());
        }
    }
}
