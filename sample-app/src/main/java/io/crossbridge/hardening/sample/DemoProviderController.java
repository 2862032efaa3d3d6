package io.crossbridge.hardening.sample;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo AI provider itself, served by the sample under {@code /provider/v1}: no key and no
 * model, answers computed from the input, and the injected {@link Faults} answered as a real
 * provider answers them, 503 or 429 with {@code Retry-After}. The application calls it over HTTP
 * through {@code RestClient} ({@link DemoAiProvider}), as it would call a real one.
 */
@RestController
class DemoProviderController {

    private static final int DIMENSIONS = 8;

    private final Faults faults;

    DemoProviderController(Faults faults) {
        this.faults = faults;
    }

    record SearchRequest(String query) {
    }

    @PostMapping("/provider/v1/search")
    ResponseEntity<?> search(@RequestBody SearchRequest request) throws InterruptedException {
        return answer("search", () -> IntStream.rangeClosed(1, 3)
                .mapToObj(i -> "result " + i + " for '" + request.query() + "'").toList());
    }

    record EmbeddingsRequest(List<String> input) {
    }

    @PostMapping("/provider/v1/embeddings")
    ResponseEntity<?> embeddings(@RequestBody EmbeddingsRequest request) throws InterruptedException {
        return answer("embed", () -> request.input().stream().map(DemoProviderController::vector).toList());
    }

    record TransformRequest(String code, String target) {
    }

    @PostMapping("/provider/v1/transform")
    ResponseEntity<?> transform(@RequestBody TransformRequest request) throws InterruptedException {
        return answer("transform", () -> "// " + request.target().toLowerCase(Locale.ROOT) + " translation of "
                + request.code().length() + " characters\n" + request.code());
    }

    @GetMapping("/provider/v1/models")
    ResponseEntity<?> models() throws InterruptedException {
        return answer("listModels", () -> List.of("demo-model-1"));
    }

    private ResponseEntity<?> answer(String operation, Supplier<Object> body) throws InterruptedException {
        Faults.Failure failure = faults.apply(operation);
        if (failure == null) {
            return ResponseEntity.ok(body.get());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(failure.status());
        if (failure.retryAfterSeconds() >= 0) {
            response.header(HttpHeaders.RETRY_AFTER, Integer.toString(failure.retryAfterSeconds()));
        }
        return response.body(ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(failure.status()), failure.message()));
    }

    /** A deterministic unit vector from the text's bytes. */
    static float[] vector(String text) {
        float[] vector = new float[DIMENSIONS];
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            vector[i % DIMENSIONS] += bytes[i];
        }
        double norm = 0;
        for (float component : vector) {
            norm += component * component;
        }
        double length = Math.sqrt(norm);
        for (int i = 0; i < DIMENSIONS && length > 0; i++) {
            vector[i] = (float) (vector[i] / length);
        }
        return vector;
    }
}
