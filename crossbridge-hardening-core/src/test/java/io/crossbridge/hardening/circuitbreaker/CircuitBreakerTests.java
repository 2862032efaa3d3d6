package io.crossbridge.hardening.circuitbreaker;

import io.crossbridge.hardening.FakeTicker;
import io.crossbridge.hardening.failure.ProviderRateLimitedException;
import io.crossbridge.hardening.failure.ServerErrorException;
import io.crossbridge.hardening.failure.ValidationException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CircuitBreakerTests {

    private static final long MILLI = 1_000_000L;

    private final FakeTicker ticker = new FakeTicker();

    private final List<String> transitions = new CopyOnWriteArrayList<>();

    /** 50% of the last 4 calls, at least 4; 10 s open; 2 trials; calls of 1 s or more are slow. */
    private final CircuitBreakerConfig config = CircuitBreakerConfig.DEFAULT.withWindow(CircuitBreakerConfig.WindowType.COUNT, 4, 4)
            .withWaitInOpen(Duration.ofSeconds(10)).withPermittedCallsInHalfOpen(2).withSlowCalls(100, Duration.ofSeconds(1));

    @Test
    void opensWhenTheFailureRateReachesTheThresholdOnceTheWindowHasTheMinimum() {
        CircuitBreaker breaker = breaker(config);
        fail(breaker);
        fail(breaker);
        fail(breaker);
        assertThat(breaker.state()).as("3 calls, below the minimum of 4").isEqualTo(CircuitState.CLOSED);

        succeed(breaker);

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        assertThat(transitions).containsExactly("CLOSED->OPEN");
    }

    @Test
    void successesKeepTheRateBelowTheThreshold() {
        CircuitBreaker breaker = breaker(config);
        for (int i = 0; i < 20; i++) {
            succeed(breaker);
            succeed(breaker);
            fail(breaker);
            succeed(breaker);
        }
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(breaker.metrics().failureRate()).isEqualTo(25f);
    }

    @Test
    void openRefusesCallsWithTheTimeUntilTrialsThenLetsTrialsThroughAndCloses() {
        CircuitBreaker breaker = opened();
        ticker.advance(Duration.ofSeconds(4));

        assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermission)
                .satisfies(ex -> assertThat(ex.untilHalfOpen()).isEqualTo(Duration.ofSeconds(6)))
                .satisfies(ex -> assertThat(ex.name()).isEqualTo("provider"));
        ticker.advance(Duration.ofSeconds(6));

        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.tryAcquirePermission()).as("only 2 trials").isFalse();
        breaker.onSuccess(MILLI);
        breaker.onSuccess(MILLI);

        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        assertThat(breaker.metrics().notPermitted()).isEqualTo(2);
    }

    @Test
    void failedTrialsReopenForAnotherWait() {
        CircuitBreaker breaker = opened();
        ticker.advance(Duration.ofSeconds(10));
        breaker.acquirePermission();
        breaker.acquirePermission();
        breaker.onError(MILLI, new IOException("still down"));
        breaker.onSuccess(MILLI);

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        ticker.advance(Duration.ofSeconds(9));
        assertThat(breaker.tryAcquirePermission()).isFalse();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquirePermission()).isTrue();
    }

    @Test
    void aProviderRetryAfterLongerThanTheWaitKeepsTheCircuitOpenThatLong() {
        CircuitBreaker breaker = breaker(config);
        fail(breaker);
        fail(breaker);
        fail(breaker);
        breaker.acquirePermission();
        breaker.onError(MILLI, new ServerErrorException("503", 503, Duration.ofSeconds(120)));
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);

        ticker.advance(Duration.ofSeconds(30));
        assertThatExceptionOfType(CallNotPermittedException.class).as("past the 10 s wait, before the provider's 120 s")
                .isThrownBy(breaker::acquirePermission)
                .satisfies(ex -> assertThat(ex.untilHalfOpen()).isEqualTo(Duration.ofSeconds(90)));
        ticker.advance(Duration.ofSeconds(89));
        assertThat(breaker.tryAcquirePermission()).isFalse();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    }

    @Test
    void aRetryAfterShorterThanTheWaitChangesNothingAndResetForgetsOne() {
        CircuitBreaker breaker = breaker(config);
        breaker.acquirePermission();
        breaker.onError(MILLI, new ProviderRateLimitedException("429", Duration.ofSeconds(3)));
        fail(breaker);
        fail(breaker);
        fail(breaker);
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).as("the 10 s wait, longer than the hint").isTrue();

        breaker.reset();
        breaker.acquirePermission();
        breaker.onError(MILLI, new ProviderRateLimitedException("429", Duration.ofHours(1)));
        breaker.reset();
        fail(breaker);
        fail(breaker);
        fail(breaker);
        fail(breaker);
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).as("reset forgot the hour").isTrue();
    }

    @Test
    void aSuccessOrAForcedCloseForgetsAHint() {
        CircuitBreaker breaker = breaker(config);
        breaker.acquirePermission();
        breaker.onError(MILLI, new ProviderRateLimitedException("429", Duration.ofHours(1)));
        succeed(breaker);
        fail(breaker);
        fail(breaker);
        assertThat(breaker.state()).as("3 of 4 failed").isEqualTo(CircuitState.OPEN);
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).as("the provider answered since its hour").isTrue();

        breaker.reset();
        breaker.acquirePermission();
        breaker.onError(MILLI, new ProviderRateLimitedException("429", Duration.ofHours(1)));
        breaker.forceClosed();
        breaker.reset();
        for (int i = 0; i < 4; i++) {
            fail(breaker);
        }
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).as("closing forgot the hour").isTrue();
    }

    @Test
    void aHintBeyondADayKeepsTheCircuitOpenOneDay() {
        CircuitBreaker breaker = breaker(config);
        for (int i = 0; i < 4; i++) {
            breaker.acquirePermission();
            breaker.onError(MILLI, new ProviderRateLimitedException("quota", Duration.ofDays(10_000)));
        }
        ticker.advance(Duration.ofDays(1).minusSeconds(1));
        assertThat(breaker.tryAcquirePermission()).isFalse();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquirePermission()).isTrue();
    }

    @Test
    void aRefusedCallInHalfOpenDoesNotUseUpTheTrialThatAPermanentFailureGaveBack() {
        CircuitBreaker breaker = opened(config.withPermittedCallsInHalfOpen(1));
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).as("A takes the trial").isTrue();
        assertThat(breaker.tryAcquirePermission()).as("B is refused").isFalse();
        breaker.onError(MILLI, new IllegalArgumentException("A's own mistake"));

        assertThat(breaker.tryAcquirePermission()).as("the trial A gave back").isTrue();
        breaker.onSuccess(MILLI);
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void trialsThatNeverReportGiveUpHalfOpenAfterItsMaximumWait() {
        CircuitBreaker breaker = opened(config.withMaxWaitInHalfOpen(Duration.ofSeconds(20)));
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.tryAcquirePermission()).isTrue();
        // Neither trial ever reports, as an async call whose future never completes.
        ticker.advance(Duration.ofSeconds(19));
        assertThat(breaker.tryAcquirePermission()).isFalse();
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);

        ticker.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquirePermission()).as("half-open gave up: open again").isFalse();
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        ticker.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermission()).as("new trials after another wait in open").isTrue();
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN", "OPEN->HALF_OPEN");
    }

    @Test
    void aTrialThatHalfOpenGaveUpOnCannotCountInTheNextHalfOpen() {
        CircuitBreaker breaker = opened(config.withPermittedCallsInHalfOpen(1).withMaxWaitInHalfOpen(Duration.ofSeconds(20)));
        ticker.advance(Duration.ofSeconds(10));
        CircuitBreaker.Permit late = breaker.tryAcquire();
        ticker.advance(Duration.ofSeconds(20));
        assertThat(breaker.tryAcquire()).as("half-open gave up on the trial").isNull();
        ticker.advance(Duration.ofSeconds(10));
        CircuitBreaker.Permit trial = breaker.tryAcquire();
        assertThat(trial).isNotNull();

        // The abandoned trial answers now: its permit goes back to no one, its outcome counts nowhere.
        breaker.onError(late, MILLI, new IllegalArgumentException("its own mistake"));
        assertThat(breaker.tryAcquire()).as("still one trial at a time").isNull();
        breaker.onError(late, MILLI, new IOException("late"));
        assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);

        breaker.onSuccess(trial, MILLI);
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void slowCallsOpenTheCircuitToo() {
        CircuitBreaker breaker = breaker(config.withSlowCalls(75, Duration.ofSeconds(1)));
        for (int i = 0; i < 3; i++) {
            breaker.acquirePermission();
            breaker.onSuccess(Duration.ofSeconds(2).toNanos());
        }
        succeed(breaker);

        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void permanentFailuresNeverOpenTheCircuit() {
        CircuitBreaker breaker = breaker(config);
        for (int i = 0; i < 10; i++) {
            breaker.acquirePermission();
            breaker.onError(MILLI, new ValidationException("bad prompt"));
            breaker.acquirePermission();
            breaker.onError(MILLI, new IllegalArgumentException("bad argument"));
        }

        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(breaker.metrics().calls()).isZero();
    }

    @Test
    void callRecordsOutcomeAndDurationByItself() throws Exception {
        CircuitBreaker breaker = breaker(config);
        for (int i = 0; i < 4; i++) {
            try {
                breaker.call(() -> {
                    throw new IOException("down");
                });
            }
            catch (IOException expected) {
                // recorded as a failure
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(() -> breaker.call(() -> "never"));
    }

    @Test
    void timeWindowForgetsCallsOlderThanItsSeconds() {
        CircuitBreaker breaker = breaker(config.withWindow(CircuitBreakerConfig.WindowType.TIME, 10, 4));
        fail(breaker);
        fail(breaker);
        fail(breaker);
        ticker.advance(Duration.ofSeconds(10));
        succeed(breaker);
        fail(breaker);

        assertThat(breaker.metrics().calls()).isEqualTo(2);
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        fail(breaker);
        fail(breaker);
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void forcedStatesHoldUntilReset() {
        CircuitBreaker breaker = breaker(config);
        breaker.forceOpen();
        ticker.advance(Duration.ofDays(2));
        assertThat(breaker.tryAcquirePermission()).isFalse();
        assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermission)
                .satisfies(ex -> assertThat(ex.untilHalfOpen()).isNull());

        breaker.forceClosed();
        for (int i = 0; i < 10; i++) {
            fail(breaker);
        }
        assertThat(breaker.state()).isEqualTo(CircuitState.FORCED_CLOSED);

        breaker.reset();
        assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(transitions).containsExactly("CLOSED->FORCED_OPEN", "FORCED_OPEN->FORCED_CLOSED", "FORCED_CLOSED->CLOSED");
    }

    @Test
    void halfOpenNeverLetsMoreTrialsThroughThanPermittedUnderConcurrency() throws Exception {
        for (int round = 0; round < 200; round++) {
            CircuitBreaker breaker = opened();
            ticker.advance(Duration.ofSeconds(10));
            AtomicInteger permitted = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> calls = new CopyOnWriteArrayList<>();
                for (int t = 0; t < 4; t++) {
                    calls.add(threads.submit(() -> {
                        start.await();
                        for (int i = 0; i < 5; i++) {
                            if (breaker.tryAcquirePermission()) {
                                permitted.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> call : calls) {
                    call.get(10, TimeUnit.SECONDS);
                }
            }
            finally {
                threads.shutdownNow();
            }
            assertThat(permitted).as("round %d", round).hasValue(2);
            transitions.clear();
        }
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertThatIllegalArgumentException().isThrownBy(() -> config.withFailureRateThreshold(0))
                .withMessage("failureRateThreshold must be above 0 and at most 100, was 0.0");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withWindow(CircuitBreakerConfig.WindowType.COUNT, 0, 1))
                .withMessage("windowSize must be from 1 to 10000, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withWaitInOpen(Duration.ZERO))
                .withMessage("waitInOpen must be positive and at most 1 day, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withPermittedCallsInHalfOpen(0))
                .withMessage("permittedCallsInHalfOpen must be from 1 to 1000, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withMaxWaitInHalfOpen(Duration.ZERO))
                .withMessage("maxWaitInHalfOpen must be positive and at most 1 day, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> new CircuitBreaker(" ", config))
                .withMessage("name of a circuit breaker must not be null or blank");
    }

    private CircuitBreaker opened() {
        return opened(config);
    }

    private CircuitBreaker opened(CircuitBreakerConfig config) {
        CircuitBreaker breaker = breaker(config);
        for (int i = 0; i < 4; i++) {
            fail(breaker);
        }
        assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
        return breaker;
    }

    private CircuitBreaker breaker(CircuitBreakerConfig config) {
        CircuitBreaker breaker = new CircuitBreaker("provider", config, ticker);
        breaker.addListener((name, from, to) -> transitions.add(from + "->" + to));
        return breaker;
    }

    private static void succeed(CircuitBreaker breaker) {
        breaker.acquirePermission();
        breaker.onSuccess(MILLI);
    }

    private static void fail(CircuitBreaker breaker) {
        breaker.acquirePermission();
        breaker.onError(MILLI, new IOException("connection refused"));
    }
}
