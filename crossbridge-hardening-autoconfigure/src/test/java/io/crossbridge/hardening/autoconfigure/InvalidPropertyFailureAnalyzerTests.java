package io.crossbridge.hardening.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidPropertyFailureAnalyzerTests {

    @Test
    void analysisNamesThePropertyItsValueAndWhatToChange() {
        InvalidPropertyException invalid = new InvalidPropertyException(
                "crossbridge.hardening.retry.policies.embed.max-attempts", 0, "MaxAttempts must be from 1 to 100, was 0.");

        FailureAnalysis analysis = new InvalidPropertyFailureAnalyzer()
                .analyze(new BeanCreationException("retryPolicyCatalog", "failed", invalid));

        assertThat(analysis.getDescription()).isEqualTo("Invalid value for "
                + "'crossbridge.hardening.retry.policies.embed.max-attempts': 0.\n\nReason: MaxAttempts must be from 1 to 100, was 0.");
        assertThat(analysis.getAction())
                .isEqualTo("Update 'crossbridge.hardening.retry.policies.embed.max-attempts' in your application's configuration.");
        assertThat(analysis.getCause()).isSameAs(invalid);
    }
}
