package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.FakeTicker;
import io.crossbridge.hardening.failure.AuthenticationException;
import io.crossbridge.hardening.failure.NetworkException;
import io.crossbridge.hardening.failure.ProviderRateLimitedException;
import io.crossbridge.hardening.failure.ServerErrorException;
import io.crossbridge.hardening.failure.ValidationException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryTests {

    private static final RetryPolicy EXACT = RetryPolicy.DEFAULT.withJitter(Jitter.NONE);

    private final FakeTicker ticker = new FakeTicker();

    private final List<Duration> slept = new ArrayList<>();

    private final List<String> heard = new ArrayList<>();

    private final Retry retry = Retry.builder().ticker(ticker).random(() -> 0.5).sleeper(nanos -> {
        slept.add(Duration.ofNanos(nanos));
        ticker.advanceNanos(nanos);
    }).build();

    private final RetryListener listener = (attempt, failure, delay) -> heard
            .add(attempt + ":" + (failure == null ? "result" : failure.getMessage()) + ":" + delay);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void successOnTheFirstAttemptNeitherWaitsNorTells() throws Exception {
        assertThat(retry.call(() -> "ok", EXACT, listener)).isEqualTo("ok");

        assertThat(slept).isEmpty();
        assertThat(heard).isEmpty();
    }

    @Test
    void transientFailuresAreRetriedUntilASuccess() throws Exception {
        Calls calls = new Calls(new IOException("reset"), new NetworkException("down", null));

        assertThat(retry.call(calls::next, EXACT, listener)).isEqualTo("ok");

        assertThat(calls.count()).isEqualTo(3);
        assertThat(slept).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(heard).containsExactly("1:reset:PT0.5S", "2:down:PT1S");
    }

    @Test
    void exhaustionKeepsEveryFailure() {
        IOException first = new IOException("first");
        IOException second = new IOException("second");
        IOException third = new IOException("third");
        Calls calls = new Calls(first, second, third);

        assertThatExceptionOfType(RetryExhaustedException.class).isThrownBy(() -> retry.call(calls::next, EXACT, listener))
                .satisfies(ex -> {
                    assertThat(ex.attempts()).isEqualTo(3);
                    assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.ATTEMPTS);
                    assertThat(ex).hasCause(third).hasMessage("Gave up after 3 attempts: maxAttempts reached");
                    assertThat(ex.getSuppressed()).containsExactly(first, second);
                });
        assertThat(slept).hasSize(2);
    }

    @Test
    void permanentFailureIsRethrownAsItIsAfterOneAttempt() {
        AuthenticationException denied = new AuthenticationException("bad key");
        Calls calls = new Calls(denied);

        assertThatThrownBy(() -> retry.call(calls::next, EXACT, listener)).isSameAs(denied);

        assertThat(calls.count()).isEqualTo(1);
        assertThat(slept).isEmpty();
    }

    @Test
    void permanentFailureAfterTransientOnesCarriesThemAsSuppressed() {
        IOException reset = new IOException("reset");
        ValidationException invalid = new ValidationException("bad input");
        Calls calls = new Calls(reset, invalid);

        assertThatThrownBy(() -> retry.call(calls::next, EXACT, listener)).isSameAs(invalid);

        assertThat(invalid.getSuppressed()).containsExactly(reset);
    }

    @Test
    void unknownFailureIsNotRetried() {
        RuntimeException unknown = new RuntimeException("?");
        Calls calls = new Calls(unknown);

        assertThatThrownBy(() -> retry.call(calls::next, EXACT, listener)).isSameAs(unknown);
        assertThat(calls.count()).isEqualTo(1);
    }

    @Test
    void errorIsRethrownAsItIs() {
        StackOverflowError error = new StackOverflowError();

        assertThatThrownBy(() -> retry.call(() -> {
            throw error;
        }, EXACT, listener)).isSameAs(error);
    }

    @Test
    void rejectedResultsAreRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = EXACT.withRetryOnResult("busy"::equals);

        String result = retry.call(() -> calls.incrementAndGet() < 3 ? "busy" : "done", policy, listener);

        assertThat(result).isEqualTo("done");
        assertThat(heard).containsExactly("1:result:PT0.5S", "2:result:PT1S");
    }

    @Test
    void resultRejectedOnEveryAttemptIsAnExhaustion() {
        RetryPolicy policy = EXACT.withRetryOnResult("busy"::equals);

        assertThatExceptionOfType(RetryExhaustedException.class).isThrownBy(() -> retry.call(() -> "busy", policy, listener))
                .withMessage("Gave up after 3 attempts: maxAttempts reached, the last result rejected by retryOnResult")
                .withNoCause();
    }

    @Test
    void retryAfterHintIsNeverCutShort() throws Exception {
        Calls calls = new Calls(new ProviderRateLimitedException("slow down", Duration.ofSeconds(3)));

        retry.call(calls::next, EXACT, listener);

        assertThat(slept).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void shortRetryAfterHintKeepsTheLongerBackoff() throws Exception {
        Calls calls = new Calls(new ServerErrorException("busy", 503, Duration.ofMillis(10)));

        retry.call(calls::next, EXACT, listener);

        assertThat(slept).containsExactly(Duration.ofMillis(500));
    }

    @Test
    void retryAfterHintBeyondMaxDelayStopsAtOnce() {
        ProviderRateLimitedException limited = new ProviderRateLimitedException("come back later", Duration.ofSeconds(30));
        Calls calls = new Calls(limited);

        assertThatExceptionOfType(RetryExhaustedException.class).isThrownBy(() -> retry.call(calls::next, EXACT, listener))
                .satisfies(ex -> {
                    assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.RETRY_AFTER_TOO_LONG);
                    assertThat(ex).hasCause(limited)
                            .hasMessage("Gave up after 1 attempt: the failure asked to wait PT30S, more than maxDelay PT5S");
                });
        assertThat(slept).isEmpty();
    }

    @Test
    void maxElapsedStopsBeforeAWaitThatWouldCrossIt() {
        RetryPolicy policy = EXACT.withMaxAttempts(10).withDelays(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .withMaxElapsed(Duration.ofSeconds(5));
        AtomicInteger calls = new AtomicInteger();

        assertThatExceptionOfType(RetryExhaustedException.class).isThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            ticker.advance(Duration.ofMillis(100));
            throw new IOException("down");
        }, policy, listener)).satisfies(ex -> {
            assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.MAX_ELAPSED);
            assertThat(ex.attempts()).isEqualTo(3);
            assertThat(ex).hasMessageContaining("waiting PT4S would pass maxElapsed PT5S");
        });
        assertThat(slept).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void retryAfterHintBeyondTheRemainingTimeStops() {
        RetryPolicy policy = EXACT.withMaxElapsed(Duration.ofSeconds(2));
        Calls calls = new Calls(new ProviderRateLimitedException("later", Duration.ofSeconds(3)));

        assertThatExceptionOfType(RetryExhaustedException.class).isThrownBy(() -> retry.call(calls::next, policy, listener))
                .satisfies(ex -> {
                    assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.RETRY_AFTER_TOO_LONG);
                    assertThat(ex).hasMessageContaining("asked to wait PT3S, more than the PT2S left of maxElapsed PT2S");
                });
        assertThat(slept).isEmpty();
    }

    @Test
    void anAttemptThatOverranMaxElapsedStopsForMaxElapsedWhateverItsHint() {
        RetryPolicy policy = EXACT.withMaxElapsed(Duration.ofSeconds(2));

        assertThatExceptionOfType(RetryExhaustedException.class).isThrownBy(() -> retry.call(() -> {
            ticker.advance(Duration.ofSeconds(3));
            throw new ProviderRateLimitedException("later", Duration.ZERO);
        }, policy, listener)).satisfies(ex -> assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.MAX_ELAPSED));
    }

    @Test
    void interruptDuringAWaitStopsAndKeepsTheFlag() {
        IOException reset = new IOException("reset");
        Retry interrupted = Retry.builder().sleeper(nanos -> {
            throw new InterruptedException("shutting down");
        }).build();

        assertThatExceptionOfType(RetryExhaustedException.class)
                .isThrownBy(() -> interrupted.call(new Calls(reset)::next, EXACT, listener)).satisfies(ex -> {
                    assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.INTERRUPTED);
                    assertThat(ex).hasCause(reset).hasMessageContaining("interrupted while waiting to retry");
                    assertThat(ex.getSuppressed()).singleElement().isInstanceOf(InterruptedException.class);
                });
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void systemSleeperNoticesAnInterruptEvenForAZeroWait() {
        Thread.currentThread().interrupt();
        RetryPolicy noWait = EXACT.withBaseDelay(Duration.ZERO);

        assertThatExceptionOfType(RetryExhaustedException.class)
                .isThrownBy(() -> Retry.withBackoff(new Calls(new IOException("x"))::next, noWait))
                .satisfies(ex -> assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.INTERRUPTED));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void spentBudgetStopsRetrying() {
        Retry budgeted = Retry.builder().budget(RetryBudget.of(0, 0, Duration.ofSeconds(10), ticker))
                .sleeper(nanos -> {
                }).build();

        assertThatExceptionOfType(RetryExhaustedException.class)
                .isThrownBy(() -> budgeted.call(new Calls(new IOException("x"))::next, EXACT, listener))
                .satisfies(ex -> {
                    assertThat(ex.reason()).isEqualTo(RetryExhaustedException.Reason.BUDGET);
                    assertThat(ex.attempts()).isEqualTo(1);
                });
    }

    @Test
    void staticEntryPointRetries() throws Exception {
        RetryPolicy noWait = EXACT.withBaseDelay(Duration.ZERO);
        RecordingListener recording = new RecordingListener();

        assertThat(Retry.withBackoff(new Calls(new IOException("x"))::next, noWait, recording)).isEqualTo("ok");
        assertThat(recording.attempts).containsExactly(1);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> retry.call(null, EXACT, listener))
                .withMessage("call must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> retry.call(() -> "x", null, listener))
                .withMessage("policy must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> retry.call(() -> "x", EXACT, null))
                .withMessage("listener must not be null; use RetryListener.NONE");
    }

    /** Throws the given failures in turn, then returns "ok". */
    static final class Calls {

        private final Exception[] failures;

        private int count;

        Calls(Exception... failures) {
            this.failures = failures;
        }

        String next() throws Exception {
            count++;
            if (count <= failures.length) {
                throw failures[count - 1];
            }
            return "ok";
        }

        int count() {
            return count;
        }
    }

    static final class RecordingListener implements RetryListener {

        final List<Integer> attempts = new ArrayList<>();

        @Override
        public void onRetry(int attempt, Throwable failure, Duration delay) {
            attempts.add(attempt);
        }
    }
}
