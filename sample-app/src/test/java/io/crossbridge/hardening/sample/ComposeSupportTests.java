package io.crossbridge.hardening.sample;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's Docker Compose support is on the sample's class path, and {@code compose.yaml} in
 * its directory, for the compose profile. Unless that profile is active it stays off: a newcomer's
 * run needs no Docker (with it on, a machine whose Docker is not running, like this one, fails
 * at startup).
 */
class ComposeSupportTests {

    @Test
    void theDefaultRunStartsWithoutDockerThoughComposeSupportAndItsFileAreThere() {
        // Boot skips Docker Compose in tests unless told not to: told here, so that it would run.
        try (ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
                "--server.port=0", "--spring.docker.compose.skip.in-tests=false")) {
            assertThat(context.isRunning()).isTrue();
            assertThat(context.getEnvironment().getProperty("spring.docker.compose.enabled")).isEqualTo("false");
        }
    }
}
