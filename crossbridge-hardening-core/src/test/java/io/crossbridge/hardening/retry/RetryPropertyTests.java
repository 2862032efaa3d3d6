package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.FakeTicker;
import io.crossbridge.hardening.failure.ProviderRateLimitedException;
import io.crossbridge.hardening.failure.ValidationException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Random settings and random outcomes: a call is attempted at most {@code maxAttempts} times,
 * every wait lies in {@code [0, maxDelay]}, and the waits never add up past {@code maxElapsed}.
 */
class RetryPropertyTests {

    @Test
    void attemptsAndWaitsStayWithinThePolicy() {
        qt().withExamples(2_000).forAll(policies(), outcomes(), longs().all()).checkAssert((policy, outcomes, seed) -> {
            FakeTicker ticker = new FakeTicker();
            long[] slept = { 0 };
            SplittableRandom random = new SplittableRandom(seed);
            Retry retry = Retry.builder().ticker(ticker).random(random::nextDouble).sleeper(nanos -> {
                assertThat(nanos).isBetween(0L, policy.maxDelay().toNanos());
                slept[0] += nanos;
                ticker.advanceNanos(nanos);
            }).build();
            int[] attempts = { 0 };

            try {
                retry.call(() -> {
                    int outcome = outcomes.get(Math.min(attempts[0]++, outcomes.size() - 1));
                    ticker.advance(Duration.ofMillis(outcome % 7));
                    return perform(outcome);
                }, policy, RetryListener.NONE);
            }
            catch (Exception expected) {
                // Any ending is fine; the bounds are what is checked.
            }

            assertThat(attempts[0]).isBetween(1, policy.maxAttempts());
            if (policy.maxElapsed() != null) {
                assertThat(slept[0]).isLessThanOrEqualTo(policy.maxElapsed().toNanos());
            }
        });
    }

    /** 0: success, 1: "busy" result, 2: permanent, 3-5: transient, 6: transient with a hint. */
    private static String perform(int outcome) throws Exception {
        switch (outcome % 7) {
            case 0:
                return "ok";
            case 1:
                return "busy";
            case 2:
                throw new ValidationException("bad");
            case 6:
                throw new ProviderRateLimitedException("later", Duration.ofMillis(outcome * 37L));
            default:
                throw new IOException("down");
        }
    }

    private static Gen<List<Integer>> outcomes() {
        return lists().of(integers().between(0, 200)).ofSizeBetween(1, 20);
    }

    private static Gen<RetryPolicy> policies() {
        Gen<RetryPolicy> shape = integers().between(1, 12).zip(longs().between(0, 2_000), longs().between(0, 8_000),
                integers().between(0, Jitter.values().length - 1), (attempts, base, extra, jitter) -> RetryPolicy
                        .of(attempts, Duration.ofMillis(base), Duration.ofMillis(base + extra))
                        .withJitter(Jitter.values()[jitter]));
        return shape.zip(integers().between(10, 40), longs().between(0, 20_000),
                (policy, multiplierTenths, elapsed) -> policy.withMultiplier(multiplierTenths / 10.0)
                        .withMaxElapsed(elapsed == 0 ? null : Duration.ofMillis(elapsed))
                        .withRetryOnResult("busy"::equals));
    }
}
