package io.crossbridge.hardening.ratelimit;

import io.crossbridge.hardening.FakeTicker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Random limits and random request sequences over a few keys, with time moving by random steps
 * and sweeps in between.
 */
class InMemoryRateLimiterPropertyTests {

    private static final int KEYS = 3;

    private static final int EXAMPLES = 2_000;

    @Test
    void everyDecisionMatchesTheTextbookTokenBucket() {
        qt().withExamples(EXAMPLES).forAll(limits(), steps()).checkAssert((limit, steps) -> {
            FakeTicker ticker = new FakeTicker(-5_000);
            InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).build();
            List<ReferenceBucket> model = new ArrayList<>();
            for (int key = 0; key < KEYS; key++) {
                model.add(new ReferenceBucket(limit));
            }
            long now = 0;
            for (Step step : steps) {
                ticker.advanceNanos(step.advanceNanos());
                now += step.advanceNanos();
                if (step.sweepFirst()) {
                    limiter.cleanUp();
                }
                int tokens = step.tokensWithin(limit);
                RateLimitDecision expected = model.get(step.key()).request(now, tokens);

                RateLimitDecision actual = limiter.acquire("key-" + step.key(), limit, tokens);

                assertThat(actual).as("%s at %d ns", step, now).isEqualTo(expected);
            }
        });
    }

    @Test
    void noIntervalAdmitsMoreThanCapacityPlusRateTimesItsLength() {
        qt().withExamples(EXAMPLES).forAll(limits(), steps()).checkAssert((limit, steps) -> {
            FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - 100_000);
            InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker)
                    .cleanupInterval(Duration.ZERO).build();
            List<List<long[]>> admittedPerKey = new ArrayList<>();
            for (int key = 0; key < KEYS; key++) {
                admittedPerKey.add(new ArrayList<>());
            }
            long now = 0;
            for (Step step : steps) {
                ticker.advanceNanos(step.advanceNanos());
                now += step.advanceNanos();
                int tokens = step.tokensWithin(limit);
                if (limiter.tryAcquire("key-" + step.key(), limit, tokens)) {
                    admittedPerKey.get(step.key()).add(new long[] { now, tokens });
                }
            }
            admittedPerKey.forEach(admitted -> assertWithinBound(limit, admitted));
        });
    }

    /** Over every [t_i, t_j]: admitted * window <= capacity * window + capacity * (t_j - t_i). */
    private static void assertWithinBound(RateLimit limit, List<long[]> admitted) {
        long window = limit.window().toNanos();
        for (int i = 0; i < admitted.size(); i++) {
            long sum = 0;
            for (int j = i; j < admitted.size(); j++) {
                sum += admitted.get(j)[1];
                long elapsed = admitted.get(j)[0] - admitted.get(i)[0];
                assertThat(sum * window).as("tokens admitted from %d to %d ns", admitted.get(i)[0], admitted.get(j)[0])
                        .isLessThanOrEqualTo(limit.capacity() * window + limit.capacity() * elapsed);
            }
        }
    }

    /** Capacities 1..40 with windows from 1 to 5,000 ns per token, most not dividing evenly. */
    private static Gen<RateLimit> limits() {
        return longs().between(1, 40).zip(longs().between(0, 5_000 * 40),
                (capacity, extra) -> RateLimit.of("p", capacity, Duration.ofNanos(capacity + extra % (5_000 * capacity))));
    }

    private static Gen<List<Step>> steps() {
        Gen<Long> advance = longs().between(0, 20_000).mix(longs().between(0, 3), 30);
        Gen<Step> step = advance.zip(integers().between(0, KEYS - 1), integers().between(1, 40),
                booleans().all(), (nanos, key, tokens, sweep) -> new Step(nanos, key, tokens, sweep && key == 0));
        return lists().of(step).ofSizeBetween(1, 200);
    }

    record Step(long advanceNanos, int key, int tokens, boolean sweepFirst) {

        int tokensWithin(RateLimit limit) {
            return (int) (1 + (tokens - 1) % limit.capacity());
        }
    }

    /**
     * The textbook token bucket, written for clarity: a level that rises by one unit per
     * nanosecond up to the span, where one token is {@link RateLimit#nanosPerToken()} units.
     */
    static final class ReferenceBucket {

        private final long perToken;

        private final long span;

        private long level;

        private long last;

        ReferenceBucket(RateLimit limit) {
            this.perToken = limit.nanosPerToken();
            this.span = limit.refillNanos();
            this.level = span;
        }

        RateLimitDecision request(long now, int tokens) {
            level = Math.min(span, level + (now - last));
            last = now;
            long cost = tokens * perToken;
            boolean allowed = level >= cost;
            if (allowed) {
                level -= cost;
            }
            return new RateLimitDecision(allowed, level / (double) perToken,
                    Duration.ofNanos(allowed ? 0 : cost - level), Duration.ofNanos(span - level));
        }
    }
}
