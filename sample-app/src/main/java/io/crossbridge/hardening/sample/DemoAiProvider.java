package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.failure.ValidationException;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/**
 * The application's client of the demo AI provider: each operation is one HTTP call through
 * {@code RestClient} to the provider the sample serves itself ({@link DemoProviderController}), or
 * to {@code demo.provider.url} where set. The provider's 503s and 429s reach the annotations as
 * the {@code RestClient} exceptions they are, and are retried with each operation's policy, a 429
 * no sooner than its {@code Retry-After}; a bad request is refused here, a permanent failure, never
 * retried. Search has a circuit breaker with {@link SecondaryAiProvider} as its fallback.
 */
@Service
public class DemoAiProvider {

    private static final ParameterizedTypeReference<List<String>> STRINGS = new ParameterizedTypeReference<>() {
    };

    private static final ParameterizedTypeReference<List<float[]>> VECTORS = new ParameterizedTypeReference<>() {
    };

    private final Environment environment;

    private final SecondaryAiProvider secondary;

    private volatile RestClient client;

    public DemoAiProvider(Environment environment, SecondaryAiProvider secondary) {
        this.environment = environment;
        this.secondary = secondary;
    }

    /**
     * Searches the primary provider, retrying transient failures; when they run out, or while the
     * primary's circuit is open, the secondary answers.
     */
    @CircuitBreaker(name = "primary", fallback = "searchOnSecondary")
    @RetryWithBackoff(policy = "search")
    public List<String> search(String query) {
        if (query == null || query.isBlank()) {
            throw new ValidationException("query must not be blank");
        }
        return client().post().uri("/provider/v1/search").body(Map.of("query", query)).retrieve().body(STRINGS);
    }

    List<String> searchOnSecondary(String query) {
        return secondary.search(query);
    }

    @RetryWithBackoff(policy = "embed")
    public List<float[]> embed(List<String> texts) {
        if (texts == null || texts.isEmpty() || texts.size() > 100) {
            throw new ValidationException("texts must hold 1 to 100 entries");
        }
        return client().post().uri("/provider/v1/embeddings").body(Map.of("input", texts)).retrieve().body(VECTORS);
    }

    /**
     * Each attempt holds a place under the provider's adaptive limit while it runs: the limit
     * shrinks when the provider slows down (fault injection's latency) and grows back after.
     */
    @RetryWithBackoff(policy = "transform")
    @ConcurrencyLimited(name = "transform-provider")
    public String transform(String code, String target) {
        if (code == null || target == null || target.isBlank()) {
            throw new ValidationException("code and target are required");
        }
        return client().post().uri("/provider/v1/transform").body(Map.of("code", code, "target", target)).retrieve()
                .body(String.class);
    }

    /** The cheap call its health check makes, as a real client would list models. */
    public void listModels() {
        client().get().uri("/provider/v1/models").retrieve().toBodilessEntity();
    }

    /**
     * The client, made at the first call: the provider's address is the sample's own port, known
     * only once its server listens. Every call is bounded: 1 s to connect, 5 s to answer.
     */
    private RestClient client() {
        RestClient current = client;
        if (current == null) {
            String url = environment.getProperty("demo.provider.url");
            if (url == null) {
                String port = environment.getProperty("local.server.port");
                if (port == null) {
                    throw new IllegalStateException("the demo provider is not listening yet");
                }
                url = "http://127.0.0.1:" + port;
            }
            JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build());
            requests.setReadTimeout(Duration.ofSeconds(5));
            current = RestClient.builder().baseUrl(url).requestFactory(requests).build();
            client = current;
        }
        return current;
    }
}
