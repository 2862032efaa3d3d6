package io.crossbridge.hardening.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidPropertyException} at startup as Spring Boot reports its own
 * configuration errors: the property, its value, and what to change.
 */
class InvalidPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidPropertyException cause) {
        String description = "Invalid value for '" + cause.property() + "': " + cause.value() + ".\n\nReason: "
                + cause.reason();
        String action = "Update '" + cause.property() + "' in your application's configuration.";
        return new FailureAnalysis(description, action, cause);
    }
}
