package io.crossbridge.hardening.sample;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo API. Rate limits come from URL rules in application.yml (callers identified by the
 * X-API-Key header), retries from the provider's annotations.
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

    @PostMapping("/api/transform")
    public Map<String, Object> transform(@RequestBody TransformRequest request) throws InterruptedException {
        return Map.of("target", request.target(), "code", provider.transform(request.code(), request.target()));
    }
}
