package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.failure.AuthenticationException;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureClassifier;
import io.crossbridge.hardening.failure.FailureKind;
import io.crossbridge.hardening.failure.NetworkException;
import io.crossbridge.hardening.failure.PermanentException;
import io.crossbridge.hardening.failure.ProviderRateLimitedException;
import io.crossbridge.hardening.failure.ProviderTimeoutException;
import io.crossbridge.hardening.failure.ServerErrorException;
import io.crossbridge.hardening.failure.TransientException;
import io.crossbridge.hardening.failure.ValidationException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RetryPolicyTests {

    private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    @Test
    void predefinedPoliciesHaveTheDesignedSettings() {
        assertSettings(RetryPolicy.AGGRESSIVE, 5, Duration.ofMillis(200), Duration.ofSeconds(10));
        assertSettings(RetryPolicy.CONSERVATIVE, 3, Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertSettings(RetryPolicy.QUICK, 2, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertSettings(RetryPolicy.DEFAULT, 3, Duration.ofMillis(500), Duration.ofSeconds(5));
        assertThat(RetryPolicy.DEFAULT.multiplier()).isEqualTo(2.0);
        assertThat(RetryPolicy.DEFAULT.jitter()).isEqualTo(Jitter.FULL);
        assertThat(RetryPolicy.DEFAULT.maxElapsed()).isNull();
    }

    @Test
    void withMethodsDeriveAPolicyAndLeaveTheOriginalAlone() {
        RetryPolicy derived = RetryPolicy.DEFAULT.withMaxAttempts(7).withDelays(Duration.ofMillis(10), Duration.ofSeconds(1))
                .withMultiplier(3).withJitter(Jitter.EQUAL).withMaxElapsed(Duration.ofSeconds(30))
                .withAttemptTimeout(Duration.ofSeconds(2));

        assertThat(derived).extracting(RetryPolicy::maxAttempts, RetryPolicy::baseDelay, RetryPolicy::maxDelay,
                RetryPolicy::multiplier, RetryPolicy::jitter, RetryPolicy::maxElapsed, RetryPolicy::attemptTimeout)
                .containsExactly(7, Duration.ofMillis(10), Duration.ofSeconds(1), 3.0, Jitter.EQUAL, Duration.ofSeconds(30),
                        Duration.ofSeconds(2));
        assertThat(RetryPolicy.DEFAULT.attemptTimeout()).isNull();
        assertSettings(RetryPolicy.DEFAULT, 3, Duration.ofMillis(500), Duration.ofSeconds(5));
    }

    @Test
    void badSettingsAreRejectedNamingFieldAndValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMaxAttempts(0))
                .withMessage("maxAttempts must be from 1 to 100, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMaxAttempts(101))
                .withMessage("maxAttempts must be from 1 to 100, was 101");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withBaseDelay(Duration.ofMillis(-1)))
                .withMessage("baseDelay must be zero or positive, was PT-0.001S");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withBaseDelay(null))
                .withMessage("baseDelay must be zero or positive, was null");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMaxDelay(Duration.ofMillis(100)))
                .withMessage("maxDelay must be from baseDelay (PT0.5S) to PT24H, was PT0.1S");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMaxDelay(Duration.ofDays(2)))
                .withMessageContaining("was PT48H");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMultiplier(0.5))
                .withMessage("multiplier must be a finite number of at least 1, was 0.5");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMultiplier(Double.NaN))
                .withMessageContaining("was NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMultiplier(Double.POSITIVE_INFINITY))
                .withMessageContaining("was Infinity");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withJitter(null))
                .withMessageContaining("jitter must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withMaxElapsed(Duration.ZERO))
                .withMessage("maxElapsed must be positive and at most PT2400H, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withAttemptTimeout(Duration.ZERO))
                .withMessage("attemptTimeout must be positive and at most PT24H, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withAttemptTimeout(Duration.ofDays(2)))
                .withMessage("attemptTimeout must be positive and at most PT24H, was PT48H");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withRetryOn(OutOfMemoryError.class))
                .withMessage("retryOn must not name an Error, which is never retried, was java.lang.OutOfMemoryError");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withAbortOn((Class<? extends Throwable>) null))
                .withMessageContaining("abortOn must not be null or hold null");
        assertThatIllegalArgumentException().isThrownBy(() -> POLICY.withClassification(null))
                .withMessageContaining("classification must not be null");
    }

    @Test
    void transientFailuresAreRetriedByDefault() {
        assertThat(POLICY.classify(new IOException("reset"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new SocketTimeoutException("read"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new TimeoutException("slow"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new TransientException("flaky"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new NetworkException("down", null))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new ProviderTimeoutException("slow", null))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new ProviderRateLimitedException("429", null))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new ServerErrorException("503", 503, null))).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void permanentFailuresAreNeverRetried() {
        assertThat(POLICY.classify(new AuthenticationException("bad key"))).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new ValidationException("bad request"))).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new PermanentException("no"))).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new IllegalArgumentException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new IllegalStateException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new ClassCastException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new NullPointerException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new UnsupportedOperationException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new OutOfMemoryError())).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new AssertionError())).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void unknownFailuresAreNotRetried() {
        assertThat(POLICY.classify(new RuntimeException("?"))).isEqualTo(FailureKind.UNKNOWN);
        assertThat(POLICY.classify(new Exception("?"))).isEqualTo(FailureKind.UNKNOWN);
    }

    @Test
    void wrappersAreJudgedByTheirCause() {
        assertThat(POLICY.classify(new UncheckedIOException(new IOException()))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new CompletionException(new IOException()))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new ExecutionException(new TimeoutException()))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new RuntimeException(new CompletionException(new SocketTimeoutException()))))
                .isEqualTo(FailureKind.TRANSIENT);
        assertThat(POLICY.classify(new CompletionException(new AuthenticationException("no"))))
                .isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void theOutermostClassifiedFailureDecides() {
        assertThat(POLICY.classify(new IllegalStateException(new IOException()))).isEqualTo(FailureKind.PERMANENT);
        assertThat(POLICY.classify(new TransientException("retry", new IllegalArgumentException())))
                .isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void cyclicCauseChainEnds() {
        RuntimeException first = new RuntimeException("a");
        RuntimeException second = new RuntimeException("b", first);
        first.initCause(second);

        assertThat(POLICY.classify(first)).isEqualTo(FailureKind.UNKNOWN);
    }

    @Test
    void retryOnAbortOnAndRetryIfExtendTheClassification() {
        RetryPolicy policy = POLICY.withRetryOn(IllegalStateException.class, CustomFailure.class)
                .withAbortOn(TimeoutException.class)
                .withRetryIf(failure -> "busy".equals(failure.getMessage()));

        assertThat(policy.classify(new IllegalStateException())).isEqualTo(FailureKind.TRANSIENT);
        assertThat(policy.classify(new CustomFailure())).isEqualTo(FailureKind.TRANSIENT);
        assertThat(policy.classify(new TimeoutException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(policy.classify(new RuntimeException("busy"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(policy.classify(new RuntimeException("other"))).isEqualTo(FailureKind.UNKNOWN);
    }

    @Test
    void abortOnWinsOverRetryOn() {
        RetryPolicy policy = POLICY.withRetryOn(IOException.class).withAbortOn(SocketTimeoutException.class);

        assertThat(policy.classify(new SocketTimeoutException())).isEqualTo(FailureKind.PERMANENT);
        assertThat(policy.classify(new IOException())).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void errorIsNeverRetriedWhateverTheConfiguration() {
        RetryPolicy policy = POLICY.withRetryIf(failure -> true);

        assertThat(policy.classify(new StackOverflowError())).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void ruleAddedToTheClassificationIsAskedAndTheTableStays() {
        FailureClassifier framework = failure -> failure instanceof CustomFailure ? FailureKind.TRANSIENT
                : FailureKind.UNKNOWN;
        RetryPolicy policy = POLICY.withClassification(FailureClassification.defaults().withRule(framework));

        assertThat(policy.classify(new CustomFailure())).isEqualTo(FailureKind.TRANSIENT);
        assertThat(policy.classify(new IOException())).isEqualTo(FailureKind.TRANSIENT);
        assertThat(policy.classify(new IllegalStateException())).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void retryAfterHintIsFoundDownTheCauseChain() {
        ProviderRateLimitedException limited = new ProviderRateLimitedException("429", Duration.ofSeconds(3));

        assertThat(POLICY.retryAfter(limited)).contains(Duration.ofSeconds(3));
        assertThat(POLICY.retryAfter(new CompletionException(limited))).contains(Duration.ofSeconds(3));
        assertThat(POLICY.retryAfter(new IOException())).isEmpty();
    }

    @Test
    void exceptionsRejectBadArguments() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ServerErrorException("x", 404, null))
                .withMessage("statusCode of a server error must be from 500 to 599, was 404");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ProviderRateLimitedException("x", Duration.ofSeconds(-1)))
                .withMessage("retryAfter must not be negative, was PT-1S");
    }

    private static void assertSettings(RetryPolicy policy, int attempts, Duration base, Duration max) {
        assertThat(policy.maxAttempts()).isEqualTo(attempts);
        assertThat(policy.baseDelay()).isEqualTo(base);
        assertThat(policy.maxDelay()).isEqualTo(max);
    }

    static final class CustomFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;
    }
}
