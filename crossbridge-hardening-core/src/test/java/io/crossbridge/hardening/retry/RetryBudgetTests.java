package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.FakeTicker;
import io.crossbridge.hardening.failure.NetworkException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RetryBudgetTests {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void retriesAreAtMostTheRatioOfFirstAttempts() {
        RetryBudget budget = RetryBudget.of(0.2, 0, Duration.ofSeconds(10), ticker);
        for (int i = 0; i < 50; i++) {
            budget.recordCall();
        }

        assertThat(retries(budget, 100)).isEqualTo(10);
    }

    @Test
    void countsTheRetriesItGrantsByRatioOrFloorAndTheOnesItRefuses() {
        RetryBudget budget = RetryBudget.of(0.2, 3, Duration.ofSeconds(10), ticker);
        for (int i = 0; i < 50; i++) {
            budget.recordCall();
        }

        assertThat(retries(budget, 20)).isEqualTo(13);
        assertThat(budget.retriesGranted()).isEqualTo(13);
        assertThat(budget.retriesRefused()).isEqualTo(7);
    }

    @Test
    void firstAttemptsLeaveTheWindow() {
        RetryBudget budget = RetryBudget.of(0.5, 0, Duration.ofSeconds(10), ticker);
        for (int i = 0; i < 10; i++) {
            budget.recordCall();
        }
        assertThat(retries(budget, 2)).isEqualTo(2);

        ticker.advance(Duration.ofSeconds(10));

        assertThat(retries(budget, 10)).isZero();
        budget.recordCall();
        budget.recordCall();
        assertThat(retries(budget, 10)).isEqualTo(1);
    }

    @Test
    void windowSlidesSlotBySlot() {
        RetryBudget budget = RetryBudget.of(1, 0, Duration.ofSeconds(10), ticker);
        budget.recordCall();
        ticker.advance(Duration.ofSeconds(5));
        budget.recordCall();

        ticker.advance(Duration.ofSeconds(5));

        assertThat(retries(budget, 10)).isEqualTo(1);
    }

    @Test
    void floorAllowsAFewRetriesPerSecondWithoutTraffic() {
        RetryBudget budget = RetryBudget.of(0.2, 4, Duration.ofSeconds(10), ticker);

        assertThat(retries(budget, 10)).isEqualTo(4);
        ticker.advance(Duration.ofMillis(500));
        assertThat(retries(budget, 10)).isEqualTo(2);
    }

    @Test
    void badSettingsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryBudget.of(-0.1, 0))
                .withMessage("ratio must be a finite number of at least 0, was -0.1");
        assertThatIllegalArgumentException().isThrownBy(() -> RetryBudget.of(Double.NaN, 0))
                .withMessageContaining("was NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> RetryBudget.of(0.2, -1))
                .withMessage("minRetriesPerSecond must be at least 0, was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryBudget.of(0.2, 1, Duration.ofMillis(500), ticker))
                .withMessage("window must be from 1 second to 1 day, was PT0.5S");
    }

    @Test
    void budgetCapsTheTrafficOfAProviderThatFailsEverything() {
        RetryBudget budget = RetryBudget.of(0.1, 0, Duration.ofSeconds(10), ticker);
        Retry retry = Retry.builder().budget(budget).ticker(ticker).sleeper(nanos -> {
        }).build();
        RetryPolicy fiveAttempts = RetryPolicy.DEFAULT.withMaxAttempts(5);
        int[] attempts = { 0 };

        for (int call = 0; call < 1_000; call++) {
            try {
                retry.call(() -> {
                    attempts[0]++;
                    throw new NetworkException("down", null);
                }, fiveAttempts, RetryListener.NONE);
            }
            catch (Exception expected) {
                // every call fails; only the attempt count matters
            }
        }

        assertThat(attempts[0]).isBetween(1_000, 1_100);
    }

    private static int retries(RetryBudget budget, int tries) {
        int granted = 0;
        for (int i = 0; i < tries; i++) {
            granted += budget.tryRetry() ? 1 : 0;
        }
        return granted;
    }
}
