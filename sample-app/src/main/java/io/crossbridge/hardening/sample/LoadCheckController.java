package io.crossbridge.hardening.sample;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The same work as {@code GET /api/search} with no rate limit, so that the load check in
 * {@code crossbridge-hardening-benchmarks/scripts/http-load.sh} can measure what the limiter costs
 * over HTTP.
 */
@RestController
public class LoadCheckController {

    private final DemoAiProvider provider;

    public LoadCheckController(DemoAiProvider provider) {
        this.provider = provider;
    }

    @GetMapping("/demo/unlimited-search")
    public Map<String, Object> search(@RequestParam String q) throws InterruptedException {
        return Map.of("query", q, "results", provider.search(q));
    }
}
