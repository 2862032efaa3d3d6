package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.failure.ValidationException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import org.springframework.stereotype.Service;

/**
 * An in-process stand-in for an AI provider: no network and no key, answers computed from the
 * input, and the faults of {@link Faults} applied to every call. Each operation retries transient
 * failures with its own policy; a bad request is a permanent failure and is never retried. Search
 * has a circuit breaker with {@link SecondaryAiProvider} as its fallback.
 */
@Service
public class DemoAiProvider {

    private static final int DIMENSIONS = 8;

    private final Faults faults;

    private final SecondaryAiProvider secondary;

    public DemoAiProvider(Faults faults, SecondaryAiProvider secondary) {
        this.faults = faults;
        this.secondary = secondary;
    }

    /**
     * Searches the primary provider, retrying transient failures; when they run out, or while the
     * primary's circuit is open, the secondary answers.
     */
    @CircuitBreaker(name = "primary", fallback = "searchOnSecondary")
    @RetryWithBackoff(policy = "search")
    public List<String> search(String query) throws InterruptedException {
        if (query == null || query.isBlank()) {
            throw new ValidationException("query must not be blank");
        }
        faults.apply("search");
        return IntStream.rangeClosed(1, 3).mapToObj(i -> "result " + i + " for '" + query + "'").toList();
    }

    List<String> searchOnSecondary(String query) {
        return secondary.search(query);
    }

    @RetryWithBackoff(policy = "embed")
    public List<float[]> embed(List<String> texts) throws InterruptedException {
        if (texts == null || texts.isEmpty() || texts.size() > 100) {
            throw new ValidationException("texts must hold 1 to 100 entries");
        }
        faults.apply("embed");
        return texts.stream().map(DemoAiProvider::vector).toList();
    }

    @RetryWithBackoff(policy = "transform")
    public String transform(String code, String target) throws InterruptedException {
        if (code == null || target == null || target.isBlank()) {
            throw new ValidationException("code and target are required");
        }
        faults.apply("transform");
        return "// " + target.toLowerCase(Locale.ROOT) + " translation of " + code.length() + " characters\n" + code;
    }

    /** The cheap call its health check makes, as a real client would list models. */
    public void listModels() throws InterruptedException {
        faults.apply("listModels");
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
