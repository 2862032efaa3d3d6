package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.annotation.ConcurrencyLimited;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo API. Rate limits come from URL rules in application.yml (callers identified by the
 * X-API-Key header), retries and the provider's concurrency limit from the provider's
 * annotations, and the per-caller concurrency limit of transforms from this controller's.
 */
@RestController
public class ApiController {

    private final DemoAiProvider provider;

    private final InMemoryVectorStore store;

    public ApiController(DemoAiProvider provider, InMemoryVectorStore store) {
        this.provider = provider;
        this.store = store;
    }

    @GetMapping("/api/search")
    public Map<String, Object> search(@RequestParam String q) throws InterruptedException {
        return Map.of("query", q, "results", provider.search(q));
    }

    public record EmbedRequest(List<String> texts) {
    }

    @PostMapping("/api/embed")
    public Map<String, Object> embed(@RequestBody EmbedRequest request) throws InterruptedException {
        List<float[]> embeddings = provider.embed(request.texts());
        store.addAll(embeddings);
        return Map.of("embeddings", embeddings, "stored", store.count());
    }

    public record TransformRequest(String code, String target) {
    }

    /** Slow: each caller at most 2 transforms in flight, whatever the provider's own limit lets in. */
    @PostMapping("/api/transform")
    @ConcurrencyLimited(name = "transform-per-key", key = "#apiKey")
    public Map<String, Object> transform(@RequestHeader("X-API-Key") String apiKey, @RequestBody TransformRequest request)
            throws InterruptedException {
        return Map.of("target", request.target(), "code", provider.transform(request.code(), request.target()));
    }
}
