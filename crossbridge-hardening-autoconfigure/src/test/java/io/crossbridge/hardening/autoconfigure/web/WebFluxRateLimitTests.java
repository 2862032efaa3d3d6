package io.crossbridge.hardening.autoconfigure.web;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.ObservationLog;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.security.Principal;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
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
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limiting in a WebFlux application on a real Netty port, through a real HTTP client: the
 * URL rules as a {@code WebFilter}, the 429 and 400 problem answers with their headers, the key
 * of a request, a {@code @RateLimited} reactive controller method, the application's own
 * {@code @ExceptionHandler}, and Actuator. BlockHound is installed, so a blocking call on Netty's
 * event loop fails the request. The limiter's clock is frozen, so no bucket refills meanwhile.
 */
@ExtendWith(BlockHoundInstalled.class)
class WebFluxRateLimitTests {

    @Nested
    @SpringBootTest(classes = { Application.class, CallerApi.class }, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "spring.main.web-application-type=reactive",
            "management.endpoints.web.exposure.include=health,ratelimiters,retries,circuitbreakers",
            "crossbridge.hardening.rate-limit.limits.three.capacity=3",
            "crossbridge.hardening.rate-limit.limits.three.window=60s",
            "crossbridge.hardening.rate-limit.limits.single.capacity=1",
            "crossbridge.hardening.rate-limit.limits.single.window=1h",
            "crossbridge.hardening.rate-limit.limits.caller.capacity=2",
            "crossbridge.hardening.rate-limit.limits.caller.window=1h",
            "crossbridge.hardening.rate-limit.http[0].path=/api/search",
            "crossbridge.hardening.rate-limit.http[0].limit=search",
            "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key",
            "crossbridge.hardening.rate-limit.http[1].path=/api/by-caller",
            "crossbridge.hardening.rate-limit.http[1].limit=three",
            "crossbridge.hardening.rate-limit.http[2].path=/api/plans",
            "crossbridge.hardening.rate-limit.http[2].limit=#request.headers.getFirst('X-Plan') == 'pro' ? 'search' : 'three'",
            "crossbridge.hardening.rate-limit.http[2].key=header:X-API-Key" })
    class Rules {

        @LocalServerPort
        private int port;

        @Autowired
        private CallerApi api;

        @Autowired
        private ObservationLog observations;

        private WebTestClient client;

        @BeforeEach
        void connect() {
            client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        }

        @Test
        void the31stRequestOfOneKeyGets429WithHeadersAndAProblemWhileAnotherKeyPasses() {
            for (int i = 1; i <= 30; i++) {
                client.get().uri("/api/search").header("X-API-Key", "key-alice").exchange().expectStatus().isOk()
                        .expectHeader().valueEquals("RateLimit-Policy", "\"search\";q=30;w=60")
                        .expectHeader().valueEquals("RateLimit", "\"search\";r=" + (30 - i) + ";t=" + (2 * i));
            }

            client.get().uri("/api/search").header("X-API-Key", "key-alice").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                    .expectHeader().valueEquals("Retry-After", "2")
                    .expectHeader().valueEquals("RateLimit-Policy", "\"search\";q=30;w=60")
                    .expectHeader().valueEquals("RateLimit", "\"search\";r=0;t=2")
                    .expectHeader().contentType("application/problem+json")
                    .expectBody()
                    .jsonPath("$.type").isEqualTo(RateLimitProblem.QUOTA_EXCEEDED)
                    .jsonPath("$.status").isEqualTo(429)
                    .jsonPath("$.violated-policies[0]").isEqualTo("search")
                    .jsonPath("$.retry-after").isEqualTo(2)
                    .consumeWith(body -> assertThat(new String(body.getResponseBodyContent())).doesNotContain("key-alice"));
            client.get().uri("/api/search").header("X-API-Key", "key-bob").exchange().expectStatus().isOk();
        }

        @Test
        void aRequestWithoutItsKeyGets400NamingWhatToSend() {
            client.get().uri("/api/search").exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType("application/problem+json")
                    .expectBody().jsonPath("$.detail").value(detail -> assertThat(detail.toString())
                            .contains("limit 'search'").contains("the X-API-Key header"));
        }

        @Test
        void aSpoofedForwardedForDoesNotChangeTheKey() {
            for (int i = 0; i < 3; i++) {
                client.get().uri("/api/by-caller").header("X-Forwarded-For", "198.51.100." + i).exchange()
                        .expectStatus().isOk();
            }
            client.get().uri("/api/by-caller").header("X-Forwarded-For", "203.0.113.77").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        }

        @Test
        void aPlanChoosesTheLimitFromTheServerHttpRequest() {
            for (int i = 0; i < 3; i++) {
                client.get().uri("/api/plans").header("X-API-Key", "free-user").exchange().expectStatus().isOk();
            }
            client.get().uri("/api/plans").header("X-API-Key", "free-user").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
            client.get().uri("/api/plans").header("X-API-Key", "pro-user").header("X-Plan", "pro").exchange()
                    .expectStatus().isOk().expectHeader().valueEquals("RateLimit-Policy", "\"search\";q=30;w=60");
        }

        @Test
        void aRateLimitedReactiveControllerMethodIsAnswered429() {
            client.get().uri("/annotated").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("once");
            client.get().uri("/annotated").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                    .expectHeader().valueEquals("Retry-After", "3600")
                    .expectBody().jsonPath("$.violated-policies[0]").isEqualTo("single");
        }

        @Test
        void aRateLimitedReactiveMethodWithNoKeyCountsByTheExchangesPrincipalElseItsAddress() {
            for (int i = 0; i < 2; i++) {
                client.get().uri("/annotated/by-caller").header("X-User", "alice").exchange().expectStatus().isOk();
            }
            client.get().uri("/annotated/by-caller").header("X-User", "alice").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                    .expectBody().jsonPath("$.violated-policies[0]").isEqualTo("caller");

            client.get().uri("/annotated/by-caller").header("X-User", "bob").exchange().expectStatus().isOk();
            client.get().uri("/annotated/by-caller").exchange().expectStatus().isOk();
            client.get().uri("/annotated/by-caller").exchange().expectStatus().isOk();
            client.get().uri("/annotated/by-caller").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        }

        @Test
        void aReactiveMethodsObservationNestsUnderTheServersObservationOfTheRequest() {
            client.get().uri("/annotated/by-caller").header("X-User", "dora").exchange().expectStatus().isOk();

            assertThat(observations.lines()).anyMatch(line -> line.startsWith("start crossbridge.ratelimit in http.server.requests")
                    && line.contains("countedByCaller"));
        }

        @Test
        void aRateLimitedReactiveMethodWithNoKeyOutsideAnExchangeHasNone() {
            StepVerifier.create(api.countedByCaller()).expectError(MissingRateLimitKeyException.class).verify(Duration.ofSeconds(5));
        }

        @Test
        void pathsNoRuleNamesPassWithoutHeaders() {
            client.get().uri("/free").exchange().expectStatus().isOk().expectHeader().doesNotExist("RateLimit");
        }

        @Test
        void actuatorHealthAndTheRateLimitersEndpointAnswerOnWebFlux() {
            client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.status").isEqualTo("UP");
            client.get().uri("/actuator/ratelimiters").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.limits.search.capacity").isEqualTo(30);
            client.get().uri("/actuator/retries").exchange().expectStatus().isOk();
            client.get().uri("/actuator/circuitbreakers").exchange().expectStatus().isOk();
        }
    }

    @Nested
    @SpringBootTest(classes = { Application.class, ApplicationAdvice.class }, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.main.web-application-type=reactive",
                    "crossbridge.hardening.rate-limit.limits.one.capacity=1",
                    "crossbridge.hardening.rate-limit.limits.one.window=60s",
                    "crossbridge.hardening.rate-limit.limits.single.capacity=1",
                    "crossbridge.hardening.rate-limit.limits.single.window=1h",
                    "crossbridge.hardening.rate-limit.http[0].path=/api/search",
                    "crossbridge.hardening.rate-limit.http[0].limit=one",
                    "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key" })
    class WithTheApplicationsExceptionHandler {

        @LocalServerPort
        private int port;

        @Test
        void theApplicationsExceptionHandlerAnswersARuleRejection() {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
            client.get().uri("/api/search").header("X-API-Key", "k").exchange().expectStatus().isOk();

            client.get().uri("/api/search").header("X-API-Key", "k").exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectBody(String.class).isEqualTo("slow down, limit one");
        }

        @Test
        void theApplicationsExceptionHandlerAnswersARateLimitedMethodsRefusal() {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
            client.get().uri("/annotated").exchange().expectStatus().isOk();

            client.get().uri("/annotated").exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectBody(String.class).isEqualTo("slow down, limit single");
        }
    }

    @Nested
    @SpringBootTest(classes = { Application.class, CatchAllAdvice.class }, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.main.web-application-type=reactive",
                    "crossbridge.hardening.rate-limit.limits.one.capacity=1",
                    "crossbridge.hardening.rate-limit.limits.one.window=60s",
                    "crossbridge.hardening.rate-limit.limits.single.capacity=1",
                    "crossbridge.hardening.rate-limit.limits.single.window=1h",
                    "crossbridge.hardening.rate-limit.http[0].path=/api/search",
                    "crossbridge.hardening.rate-limit.http[0].limit=one",
                    "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key" })
    class WithOnlyACatchAllExceptionHandler {

        @LocalServerPort
        private int port;

        @Test
        void aRuleRejectionStays429() {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
            client.get().uri("/api/search").header("X-API-Key", "k").exchange().expectStatus().isOk();

            client.get().uri("/api/search").header("X-API-Key", "k").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                    .expectHeader().contentType("application/problem+json");
        }

        @Test
        void aRateLimitedMethodsRefusalGoesToTheCatchAllAsWebFluxHandsItAnyHandlersFailure() {
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
            client.get().uri("/annotated").exchange().expectStatus().isOk();

            client.get().uri("/annotated").exchange()
                    .expectStatus().isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR)
                    .expectBody(String.class).isEqualTo("caught by the catch-all");
        }
    }

    @RestControllerAdvice
    static class CatchAllAdvice {

        @ExceptionHandler(Exception.class)
        ResponseEntity<String> anything(Exception ex) {
            return ResponseEntity.internalServerError().body("caught by the catch-all");
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

        /**
         * The principal named by an {@code X-User} header, kept as Spring Security keeps it: in the
         * Reactor context of the request's handling, which the exchange's principal reads.
         */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        WebFilter principalFromHeader() {
            return (exchange, chain) -> {
                String user = exchange.getRequest().getHeaders().getFirst("X-User");
                if (user == null) {
                    return chain.filter(exchange);
                }
                ServerWebExchange secured = exchange.mutate().principal(Mono.deferContextual(context ->
                        Mono.justOrEmpty(context.<Principal>getOrEmpty(Principal.class)))).build();
                return chain.filter(secured).contextWrite(Context.of(Principal.class, (Principal) () -> user));
            };
        }

        @Bean
        ObservationLog observationLog() {
            return new ObservationLog();
        }
    }

    @RestController
    static class Api {

        @GetMapping("/api/search")
        Mono<String> search() {
            return Mono.just("results");
        }

        @GetMapping("/api/by-caller")
        Mono<String> byCaller() {
            return Mono.just("ok");
        }

        @GetMapping("/api/plans")
        Mono<String> plans() {
            return Mono.just("ok");
        }

        @GetMapping("/free")
        Mono<String> free() {
            return Mono.just("free");
        }

        @GetMapping("/annotated")
        @RateLimited(limit = "single", key = "'annotated'")
        public Mono<String> annotated() {
            return Mono.just("once");
        }
    }

    /** Only where the limit {@code caller} is configured. */
    @RestController
    static class CallerApi {

        @GetMapping("/annotated/by-caller")
        @RateLimited(limit = "caller")
        public Mono<String> countedByCaller() {
            return Mono.just("counted by caller");
        }
    }

    @RestControllerAdvice
    static class ApplicationAdvice {

        @ExceptionHandler(RateLimitExceededException.class)
        ResponseEntity<String> slowDown(RateLimitExceededException ex) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("slow down, limit " + ex.limit().name());
        }

        @ExceptionHandler(Exception.class)
        ResponseEntity<String> anythingElse(Exception ex) {
            return ResponseEntity.internalServerError().body("not this one");
        }
    }
}
