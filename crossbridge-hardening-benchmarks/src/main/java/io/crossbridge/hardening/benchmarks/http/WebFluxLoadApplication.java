package io.crossbridge.hardening.benchmarks.http;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
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
}
