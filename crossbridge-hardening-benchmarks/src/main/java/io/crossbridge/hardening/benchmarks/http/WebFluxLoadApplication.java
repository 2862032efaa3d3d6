package io.crossbridge.hardening.benchmarks.http;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A WebFlux application on Netty for {@code scripts/webflux-load.sh}: the same search under a URL
 * rule ({@code /api/search}, set on the command line) and without one
 * ({@code /demo/unlimited-search}). Not a benchmark of its own: wrk drives it from outside.
 */
@SpringBootApplication
@RestController
public class WebFluxLoadApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(WebFluxLoadApplication.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        application.run(args);
    }

    @GetMapping("/api/search")
    Mono<String> search(@RequestParam String q) {
        return Mono.just("results for " + q);
    }

    @GetMapping("/demo/unlimited-search")
    Mono<String> unlimitedSearch(@RequestParam String q) {
        return Mono.just("results for " + q);
    }

    /**
     * The same search under no rule, answering the two header fields the rule writes, of the same
     * length as the script's rule writes them: what those headers cost without any rule.
     */
    @GetMapping("/demo/unlimited-search-with-headers")
    Mono<String> unlimitedSearchWithHeaders(@RequestParam String q, ServerHttpResponse response) {
        response.getHeaders().set("RateLimit-Policy", "\"search\";q=1000000000;w=1000000000");
        response.getHeaders().set("RateLimit", "\"search\";r=999999999;t=1");
        return Mono.just("results for " + q);
    }
}
