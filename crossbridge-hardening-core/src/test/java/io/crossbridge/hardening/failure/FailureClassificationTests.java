package io.crossbridge.hardening.failure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FailureClassificationTests {

    @Test
    void theDefaultsAreTheBuiltInTable() {
        FailureClassification defaults = FailureClassification.defaults();

        assertThat(defaults.classify(new IOException())).isEqualTo(FailureKind.TRANSIENT);
        assertThat(defaults.classify(new ValidationException("bad"))).isEqualTo(FailureKind.PERMANENT);
        assertThat(defaults.classify(new SdkFailure(503))).isEqualTo(FailureKind.UNKNOWN);
        assertThat(defaults.rules()).containsExactly(FailureClassifier.defaults());
    }

    @Test
    void aRuleIsAskedFirstAndTheTableStaysBehindIt() {
        FailureClassification classification = FailureClassification.defaults().withRule(new SdkRule());

        assertThat(classification.classify(new SdkFailure(503))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(classification.classify(new SdkFailure(400))).isEqualTo(FailureKind.PERMANENT);
        assertThat(classification.classify(new IOException())).as("the table still answers").isEqualTo(FailureKind.TRANSIENT);
        assertThat(classification.retryAfter(new RuntimeException(new SdkFailure(503)))).contains(Duration.ofSeconds(7));
    }

    @Test
    void aRuleCanOverruleTheTable() {
        FailureClassifier timeoutsArePermanentHere = failure -> failure instanceof java.net.SocketTimeoutException
                ? FailureKind.PERMANENT : FailureKind.UNKNOWN;
        FailureClassification classification = FailureClassification.of(List.of(timeoutsArePermanentHere));

        assertThat(classification.classify(new java.net.SocketTimeoutException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(classification.classify(new IOException())).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void theFirstThrowableOfTheChainThatAnyRuleKnowsDecides() {
        FailureClassification classification = FailureClassification.defaults().withRule(new SdkRule());

        assertThat(classification.classify(new RuntimeException("wrapped", new SdkFailure(400))))
                .isEqualTo(FailureKind.PERMANENT);
        assertThat(classification.classify(new IllegalStateException(new SdkFailure(503))))
                .as("the wrapper is known first").isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void nullRulesAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> FailureClassification.defaults().withRule(null))
                .withMessage("rule must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> FailureClassification.of(null))
                .withMessageContaining("must not be null or hold null");
    }

    /** A provider SDK's own failure, which no built-in rule knows. */
    static final class SdkFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final int status;

        SdkFailure(int status) {
            super("status " + status);
            this.status = status;
        }
    }

    static final class SdkRule implements FailureClassifier {

        @Override
        public FailureKind classify(Throwable failure) {
            if (failure instanceof SdkFailure sdk) {
                return sdk.status >= 500 ? FailureKind.TRANSIENT : FailureKind.PERMANENT;
            }
            return FailureKind.UNKNOWN;
        }

        @Override
        public Optional<Duration> retryAfter(Throwable failure) {
            return failure instanceof SdkFailure sdk && sdk.status == 503 ? Optional.of(Duration.ofSeconds(7)) : Optional.empty();
        }
    }
}
