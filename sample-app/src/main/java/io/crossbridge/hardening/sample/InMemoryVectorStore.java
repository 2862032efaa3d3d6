package io.crossbridge.hardening.sample;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;

/**
 * The demo's vector store: the embeddings computed so far, kept in memory.
 */
@Component
public class InMemoryVectorStore {

    private final List<float[]> vectors = new CopyOnWriteArrayList<>();

    public void addAll(List<float[]> embeddings) {
        vectors.addAll(embeddings);
    }

    public int count() {
        return vectors.size();
    }
}
