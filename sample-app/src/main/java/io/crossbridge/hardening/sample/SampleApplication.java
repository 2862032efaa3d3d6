package io.crossbridge.hardening.sample;

import io.crossbridge.hardening.health.AiProviderHealthCheck;
import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.VectorStoreHealthCheck;

import java.time.Duration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A runnable application using crossbridge-hardening with its in-memory defaults: a demo AI
 * provider behind rate limits, retries and health checks, with faults to inject at run time.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @Bean
    HealthCheck provider(DemoAiProvider provider) {
        return new AiProviderHealthCheck("demo", "demo-model-1", provider::listModels, Duration.ofMillis(500));
    }

    @Bean
    HealthCheck vectorStore(InMemoryVectorStore store) {
        return new VectorStoreHealthCheck("in-memory", "embeddings", store::count, Duration.ofMillis(100));
    }
}
