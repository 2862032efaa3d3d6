package io.crossbridge.hardening.sample;

import java.util.List;
import java.util.stream.IntStream;

import org.springframework.stereotype.Service;

/**
 * The demo's second provider: plainer answers, but up when the primary is not. The primary's
 * circuit breaker falls back to it.
 */
@Service
public class SecondaryAiProvider {

    public List<String> search(String query) {
        return IntStream.rangeClosed(1, 2).mapToObj(i -> "secondary result " + i + " for '" + query + "'").toList();
    }
}
