package io.crossbridge.hardening.ratelimit;

import io.crossbridge.hardening.FakeTicker;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class InMemoryRateLimiterTests {

    private static final RateLimit SEARCH = RateLimit.of("search", 30, Duration.ofSeconds(60));

    private static final RateLimit TEN_PER_TEN_SECONDS = RateLimit.of("ten", 10, Duration.ofSeconds(10));

    private final FakeTicker ticker = new FakeTicker(987_654_321L);

    private final InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(ticker).build();

    @Test
    void newBucketStartsFull() {
        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
        assertThat(limiter.tryAcquire("alice", SEARCH, 30)).isTrue();
        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
    }

    @Test
    void bucketRefillsContinuouslyWithFractionalTokens() {
        limiter.tryAcquire("alice", TEN_PER_TEN_SECONDS, 10);

        ticker.advance(Duration.ofMillis(1500));

        assertThat(limiter.remaining("alice", TEN_PER_TEN_SECONDS)).isEqualTo(1.5);
        assertThat(limiter.tryAcquire("alice", TEN_PER_TEN_SECONDS)).isTrue();
        assertThat(limiter.remaining("alice", TEN_PER_TEN_SECONDS)).isEqualTo(0.5);
        RateLimitDecision rejected = limiter.acquire("alice", TEN_PER_TEN_SECONDS, 1);
        assertThat(rejected.allowed()).isFalse();
        assertThat(rejected.retryAfter()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void tokenArrivesExactlyAtItsInstantAndNotOneNanosecondBefore() {
        limiter.tryAcquire("alice", SEARCH, 30);

        ticker.advanceNanos(SEARCH.nanosPerToken() - 1);
        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();

        ticker.advanceNanos(1);
        assertThat(limiter.tryAcquire("alice", SEARCH)).isTrue();
        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
    }

    @Test
    void refillStopsAtCapacity() {
        limiter.tryAcquire("alice", SEARCH, 5);

        ticker.advance(Duration.ofDays(1));

        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
        assertThat(limiter.tryAcquire("alice", SEARCH, 30)).isTrue();
        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
    }

    @Test
    void multiTokenRequestIsAllOrNothing() {
        RateLimit five = RateLimit.of("five", 5, Duration.ofSeconds(5));
        limiter.tryAcquire("alice", five, 3);

        assertThat(limiter.tryAcquire("alice", five, 3)).isFalse();
        assertThat(limiter.remaining("alice", five)).isEqualTo(2.0);
        assertThat(limiter.tryAcquire("alice", five, 2)).isTrue();
    }

    @Test
    void acquireDescribesAnAllowedDecision() {
        RateLimitDecision decision = limiter.acquire("alice", SEARCH, 3);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.remaining()).isEqualTo(27.0);
        assertThat(decision.retryAfter()).isZero();
        assertThat(decision.timeToFull()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void acquireDescribesARejectedDecisionWithoutTakingTokens() {
        limiter.tryAcquire("alice", SEARCH, 29);
        ticker.advance(Duration.ofMillis(500));

        RateLimitDecision decision = limiter.acquire("alice", SEARCH, 3);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.remaining()).isCloseTo(1.25, within(1e-9));
        assertThat(decision.retryAfter()).isEqualTo(Duration.ofMillis(3500));
        assertThat(decision.timeToFull()).isEqualTo(Duration.ofMillis(57_500));
        assertThat(limiter.remaining("alice", SEARCH)).isCloseTo(1.25, within(1e-9));
    }

    @Test
    void acquireOrThrowTakesTheTokensWhenAllowed() {
        limiter.acquireOrThrow("alice", SEARCH, 30);

        assertThat(limiter.remaining("alice", SEARCH)).isZero();
    }

    @Test
    void acquireOrThrowAtMaxKeysSaysWhenASlotFrees() {
        InMemoryRateLimiter bounded = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(1).build();
        bounded.tryAcquire("alice", SEARCH, 2);

        assertThatExceptionOfType(RateLimitExceededException.class)
                .isThrownBy(() -> bounded.acquireOrThrow("bob", SEARCH))
                .satisfies(ex -> assertThat(ex.retryAfter()).isEqualTo(Duration.ofSeconds(4)));
    }

    @Test
    void acquireOrThrowCarriesKeyLimitAndRetryAfterButKeepsTheKeyOutOfTheMessage() {
        String apiKey = "sk-live-1234567890";
        limiter.acquireOrThrow(apiKey, SEARCH, 30);

        assertThatExceptionOfType(RateLimitExceededException.class)
                .isThrownBy(() -> limiter.acquireOrThrow(apiKey, SEARCH))
                .satisfies(ex -> {
                    assertThat(ex.key()).isEqualTo(apiKey);
                    assertThat(ex.limit()).isEqualTo(SEARCH);
                    assertThat(ex.retryAfter()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(ex.getMessage()).doesNotContain(apiKey)
                            .contains("'search'", KeyFingerprint.of(apiKey), "PT2S");
                });
    }

    @Test
    void eachLimitAndKeyPairHasItsOwnBucket() {
        RateLimit transform = RateLimit.of("transform", 10, Duration.ofSeconds(60));
        limiter.tryAcquire("alice", SEARCH, 30);

        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
        assertThat(limiter.tryAcquire("bob", SEARCH)).isTrue();
        assertThat(limiter.tryAcquire("alice", transform, 10)).isTrue();
    }

    @Test
    void resetOfOneLimitAndKeyRefillsOnlyThatBucket() {
        RateLimit transform = RateLimit.of("transform", 10, Duration.ofSeconds(60));
        limiter.tryAcquire("alice", SEARCH, 30);
        limiter.tryAcquire("alice", transform, 10);
        limiter.tryAcquire("bob", SEARCH, 30);

        limiter.reset("alice", SEARCH);

        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
        assertThat(limiter.remaining("alice", transform)).isZero();
        assertThat(limiter.remaining("bob", SEARCH)).isZero();
    }

    @Test
    void resetOfOneKeyRefillsItsBucketsUnderEveryLimit() {
        RateLimit transform = RateLimit.of("transform", 10, Duration.ofSeconds(60));
        limiter.tryAcquire("alice", SEARCH, 30);
        limiter.tryAcquire("alice", transform, 10);
        limiter.tryAcquire("bob", SEARCH, 30);

        limiter.reset("alice");

        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
        assertThat(limiter.remaining("alice", transform)).isEqualTo(10.0);
        assertThat(limiter.remaining("bob", SEARCH)).isZero();
        assertThat(limiter.stats().activeBuckets()).isEqualTo(1);
    }

    @Test
    void resetAllRefillsEveryBucketAndKeepsTheCounters() {
        limiter.tryAcquire("alice", SEARCH, 30);
        limiter.tryAcquire("bob", SEARCH, 30);
        limiter.tryAcquire("bob", SEARCH);

        limiter.resetAll();

        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
        assertThat(limiter.remaining("bob", SEARCH)).isEqualTo(30.0);
        RateLimiterStats stats = limiter.stats();
        assertThat(stats.activeBuckets()).isZero();
        assertThat(stats.limits().get("search")).isEqualTo(new RateLimiterStats.LimitStats(0, 2, 1));
    }

    @Test
    void statsCountAllowedAndRejectedPerLimit() {
        RateLimit transform = RateLimit.of("transform", 1, Duration.ofSeconds(60));
        limiter.tryAcquire("alice", SEARCH);
        limiter.acquire("bob", SEARCH, 2);
        limiter.tryAcquire("alice", transform);
        limiter.tryAcquire("alice", transform);
        assertThatExceptionOfType(RateLimitExceededException.class)
                .isThrownBy(() -> limiter.acquireOrThrow("alice", transform));

        RateLimiterStats stats = limiter.stats();

        assertThat(stats.activeBuckets()).isEqualTo(3);
        assertThat(stats.limits()).containsOnlyKeys("search", "transform");
        assertThat(stats.limits().get("search")).isEqualTo(new RateLimiterStats.LimitStats(2, 2, 0));
        assertThat(stats.limits().get("transform")).isEqualTo(new RateLimiterStats.LimitStats(1, 1, 2));
        assertThat(stats.evictions()).isZero();
        assertThat(stats.rejectedAtMaxKeys()).isZero();
    }

    @Test
    void cleanUpDropsOnlyBucketsThatHaveRefilledCompletely() {
        limiter.tryAcquire("alice", SEARCH, 1);
        limiter.tryAcquire("bob", SEARCH, 30);

        ticker.advance(Duration.ofSeconds(2));

        assertThat(limiter.cleanUp()).isEqualTo(1);
        RateLimiterStats stats = limiter.stats();
        assertThat(stats.activeBuckets()).isEqualTo(1);
        assertThat(stats.evictions()).isEqualTo(1);
        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
        assertThat(limiter.remaining("bob", SEARCH)).isEqualTo(1.0);
    }

    @Test
    void droppedBucketDecidesExactlyLikeTheBucketItReplaced() {
        limiter.tryAcquire("alice", SEARCH, 30);
        ticker.advance(Duration.ofSeconds(60));
        limiter.cleanUp();

        assertThat(limiter.tryAcquire("alice", SEARCH, 30)).isTrue();
        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
    }

    @Test
    void newBucketTriggersASweepOnceTheCleanupIntervalHasPassed() {
        InMemoryRateLimiter sweeping = InMemoryRateLimiter.builder().ticker(ticker)
                .cleanupInterval(Duration.ofSeconds(30)).build();
        sweeping.tryAcquire("alice", SEARCH);
        ticker.advance(Duration.ofSeconds(20));
        sweeping.tryAcquire("bob", SEARCH);
        assertThat(sweeping.stats().activeBuckets()).isEqualTo(2);

        ticker.advance(Duration.ofSeconds(10));
        sweeping.tryAcquire("carol", SEARCH);

        assertThat(sweeping.stats().evictions()).isEqualTo(2);
        assertThat(sweeping.stats().activeBuckets()).isEqualTo(1);
    }

    @Test
    void atMaxKeysANewKeyIsRejectedWhileEveryBucketIsStillRefilling() {
        InMemoryRateLimiter bounded = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(2).build();
        bounded.tryAcquire("alice", SEARCH, 1);
        bounded.tryAcquire("bob", SEARCH, 3);

        RateLimitDecision decision = bounded.acquire("carol", SEARCH, 1);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        RateLimiterStats stats = bounded.stats();
        assertThat(stats.activeBuckets()).isEqualTo(2);
        assertThat(stats.rejectedAtMaxKeys()).isEqualTo(1);
        assertThat(stats.limits().get("search").rejected()).isEqualTo(1);
    }

    @Test
    void atMaxKeysKnownKeysKeepTheirExactLimit() {
        InMemoryRateLimiter bounded = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(2).build();
        bounded.tryAcquire("alice", SEARCH, 29);
        bounded.tryAcquire("bob", SEARCH, 30);

        for (int i = 0; i < 100; i++) {
            bounded.tryAcquire("flood-" + i, SEARCH);
        }

        assertThat(bounded.tryAcquire("alice", SEARCH)).isTrue();
        assertThat(bounded.tryAcquire("alice", SEARCH)).isFalse();
        assertThat(bounded.tryAcquire("bob", SEARCH)).isFalse();
        assertThat(bounded.stats().rejectedAtMaxKeys()).isEqualTo(100);
    }

    @Test
    void atMaxKeysANewKeyGetsTheSlotOfABucketThatHasRefilled() {
        InMemoryRateLimiter bounded = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(2).build();
        bounded.tryAcquire("alice", SEARCH, 1);
        bounded.tryAcquire("bob", SEARCH, 3);
        assertThat(bounded.tryAcquire("carol", SEARCH)).isFalse();

        ticker.advance(Duration.ofSeconds(2));

        assertThat(bounded.tryAcquire("carol", SEARCH)).isTrue();
        RateLimiterStats stats = bounded.stats();
        assertThat(stats.activeBuckets()).isEqualTo(2);
        assertThat(stats.evictions()).isEqualTo(1);
        assertThat(bounded.remaining("bob", SEARCH)).isEqualTo(28.0);
    }

    @Test
    void bucketsKeepTheirStateWhileTheTableGrowsAndShrinks() {
        RateLimit limit = RateLimit.of("grow", 100, Duration.ofSeconds(100));
        for (int key = 0; key < 5_000; key++) {
            limiter.tryAcquire("key-" + key, limit, 1 + key % 2);
        }
        ticker.advance(Duration.ofSeconds(1));

        assertThat(limiter.cleanUp()).isEqualTo(2_500);

        for (int key = 0; key < 5_000; key++) {
            assertThat(limiter.remaining("key-" + key, limit)).as("key-%d", key).isEqualTo(key % 2 == 0 ? 100.0 : 99.0);
        }
        assertThat(limiter.stats().limits().get("grow").activeBuckets()).isEqualTo(2_500);
        limiter.resetAll();
        assertThat(limiter.stats().activeBuckets()).isZero();
        assertThat(limiter.tryAcquire("key-1", limit, 100)).isTrue();
    }

    @Test
    void nullOrBlankKeyIsRejectedByEveryOperation() {
        for (String key : new String[] { null, "", "  \t" }) {
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.tryAcquire(key, SEARCH))
                    .withMessage("key for rate limit 'search' must not be null or blank");
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.acquire(key, SEARCH, 1));
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.acquireOrThrow(key, SEARCH));
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.remaining(key, SEARCH));
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.reset(key, SEARCH));
            assertThatIllegalArgumentException().isThrownBy(() -> limiter.reset(key))
                    .withMessage("key must not be null or blank");
        }
        // Three refused requests per missing key; reading and resetting count nothing.
        assertThat(limiter.stats().limits().get("search")).isEqualTo(new RateLimiterStats.LimitStats(0, 0, 9));
    }

    @Test
    void blankKeyIsTheFirstErrorEvenWithABadTokenCount() {
        for (String key : new String[] { null, "", " " }) {
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.tryAcquire(key, SEARCH, 0));
            assertThatExceptionOfType(MissingRateLimitKeyException.class)
                    .isThrownBy(() -> limiter.acquire(key, SEARCH, 31));
        }
        assertThat(limiter.stats().limits().get("search")).isEqualTo(new RateLimiterStats.LimitStats(0, 0, 6));
    }

    @Test
    void tokenCountOutsideOneToCapacityIsRejected() {
        for (int tokens : new int[] { 0, -1, 31, Integer.MAX_VALUE, Integer.MIN_VALUE }) {
            assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquire("alice", SEARCH, tokens))
                    .withMessage("tokens must be from 1 to the capacity of rate limit 'search' (30), was " + tokens);
            assertThatIllegalArgumentException().isThrownBy(() -> limiter.acquire("alice", SEARCH, tokens));
        }
        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(30.0);
    }

    @Test
    void nullLimitIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquire("alice", null))
                .withMessage("limit must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> limiter.remaining("alice", null));
        assertThatIllegalArgumentException().isThrownBy(() -> limiter.reset("alice", null));
    }

    @Test
    void badBuilderSettingsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> InMemoryRateLimiter.builder().maxKeys(0))
                .withMessage("maxKeys must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> InMemoryRateLimiter.builder().ticker(null))
                .withMessage("ticker must not be null");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> InMemoryRateLimiter.builder().cleanupInterval(Duration.ofSeconds(-1)))
                .withMessage("cleanupInterval must be zero or positive, was PT-1S");
    }

    @Test
    void oneNanosecondWindowGrantsOneTokenPerNanosecond() {
        RateLimit nano = RateLimit.of("nano", 1, Duration.ofNanos(1));

        assertThat(limiter.tryAcquire("alice", nano)).isTrue();
        assertThat(limiter.tryAcquire("alice", nano)).isFalse();
        ticker.advanceNanos(1);
        assertThat(limiter.tryAcquire("alice", nano)).isTrue();
    }

    @Test
    void centuryWindowRefillsOnlyAfterACentury() {
        RateLimit century = RateLimit.of("century", 2, Duration.ofDays(36_526));
        limiter.tryAcquire("alice", century, 2);

        ticker.advance(Duration.ofDays(18_263).minusNanos(1));
        assertThat(limiter.tryAcquire("alice", century)).isFalse();
        ticker.advanceNanos(1);
        assertThat(limiter.tryAcquire("alice", century)).isTrue();
        assertThat(limiter.acquire("alice", century, 1).retryAfter()).isEqualTo(Duration.ofDays(18_263));
    }

    @Test
    void hugeCapacityNeverOverflowsIntoAnAllow() {
        RateLimit huge = RateLimit.of("huge", 1L << 62, RateLimit.MAX_REFILL);
        limiter.tryAcquire("alice", huge, Integer.MAX_VALUE);

        assertThat(limiter.remaining("alice", huge)).isEqualTo((double) ((1L << 62) - Integer.MAX_VALUE));
        RateLimit bigTokens = RateLimit.of("tight", Integer.MAX_VALUE, Duration.ofDays(36_525));
        assertThat(limiter.tryAcquire("bob", bigTokens, Integer.MAX_VALUE)).isTrue();
        assertThat(limiter.tryAcquire("bob", bigTokens, 1)).isFalse();
        ticker.advance(Duration.ofDays(365 * 100));
        assertThat(limiter.tryAcquire("bob", bigTokens, Integer.MAX_VALUE)).isFalse();
    }

    @Test
    void clockJumpingBackwardMakesBucketsOweMoreNeverLess() {
        limiter.tryAcquire("alice", SEARCH, 30);

        ticker.advance(Duration.ofDays(-400));

        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
        assertThat(limiter.remaining("alice", SEARCH)).isZero();
        RateLimitDecision decision = limiter.acquire("alice", SEARCH, 1);
        assertThat(decision.retryAfter()).isEqualTo(Duration.ofDays(400).plusSeconds(2));
    }

    @Test
    void clockJumpingFarForwardRefillsToCapacityAndNoFurther() {
        limiter.tryAcquire("alice", SEARCH, 30);

        ticker.advanceNanos(Long.MAX_VALUE / 2);

        assertThat(limiter.tryAcquire("alice", SEARCH, 30)).isTrue();
        assertThat(limiter.tryAcquire("alice", SEARCH)).isFalse();
    }

    @Test
    void tickerThatWrapsAroundLikeNanoTimeKeepsWorking() {
        FakeTicker wrapping = new FakeTicker(Long.MAX_VALUE - 1_000_000_000L);
        InMemoryRateLimiter limiterNearWrap = InMemoryRateLimiter.builder().ticker(wrapping).build();
        limiterNearWrap.tryAcquire("alice", SEARCH, 30);

        wrapping.advance(Duration.ofSeconds(2));

        assertThat(wrapping.read()).isNegative();
        assertThat(limiterNearWrap.tryAcquire("alice", SEARCH)).isTrue();
        assertThat(limiterNearWrap.tryAcquire("alice", SEARCH)).isFalse();
    }

    @Test
    void changedLimitUnderTheSameNameTakesEffectOnTheSameBucket() {
        limiter.tryAcquire("alice", SEARCH, 30);
        RateLimit doubled = RateLimit.of("search", 60, Duration.ofSeconds(60));

        // The bucket's debt is time: it is full again at the same instant, at the new rate.
        assertThat(limiter.remaining("alice", doubled)).isZero();
        ticker.advance(Duration.ofSeconds(30));
        assertThat(limiter.remaining("alice", doubled)).isEqualTo(30.0);
        assertThat(limiter.remaining("alice", SEARCH)).isEqualTo(15.0);
        assertThat(limiter.tryAcquire("alice", doubled, 30)).isTrue();
        assertThat(limiter.tryAcquire("alice", doubled)).isFalse();
    }

    /**
     * The limiter keeps resolved limits in fewer slots than there are limits here: every limit,
     * whether it found its slot, met one taken by another name, or is an equal instance of one
     * held, decides by its own capacity and counts under its own name.
     */
    @Test
    void everyLimitDecidesByItsOwnCapacityHoweverManyThereAre() {
        RateLimit[] limits = new RateLimit[300];
        for (int i = 0; i < limits.length; i++) {
            limits[i] = RateLimit.of("limit-" + i, i % 7 + 1, Duration.ofSeconds(60));
        }
        for (RateLimit limit : limits) {
            RateLimit equalInstance = RateLimit.of(limit.name(), limit.capacity(), limit.window());
            assertThat(limiter.tryAcquire("alice", limit, (int) limit.capacity())).isTrue();
            assertThat(limiter.tryAcquire("alice", equalInstance)).isFalse();
            assertThat(limiter.tryAcquire("alice", limit)).isFalse();
        }
        for (RateLimit limit : limits) {
            assertThat(limiter.stats().limits().get(limit.name()))
                    .isEqualTo(new RateLimiterStats.LimitStats(1, 1, 2));
        }
    }

    /**
     * Instances of one name with different capacities, used in turn, take the one slot of
     * their name from each other: each decision still follows the instance it was given. Every
     * version refills a token a second, so their buckets differ only in capacity: a version
     * decided by a smaller one's spec fails its first request, by a larger one's grants the
     * second.
     */
    @Test
    void changedLimitsUnderOneNameEachDecideByTheirOwnCapacity() {
        RateLimit[] versions = new RateLimit[100];
        for (int i = 0; i < versions.length; i++) {
            versions[i] = RateLimit.of("search", i + 1, Duration.ofSeconds(i + 1));
        }
        for (int i = 0; i < versions.length; i++) {
            assertThat(limiter.tryAcquire("key-" + i, versions[i], i + 1)).isTrue();
        }
        for (int i = 0; i < versions.length; i++) {
            assertThat(limiter.tryAcquire("key-" + i, versions[i])).isFalse();
        }
        assertThat(limiter.stats().limits().get("search")).isEqualTo(new RateLimiterStats.LimitStats(100, 100, 100));
    }

    /**
     * Found by the reliability suite's key flood: at the bound, with a bucket full again every
     * microsecond, each refused key swept the whole table. Now a refusal reads one bound, and a
     * key admitted at the bound sweeps only the part of the table holding a full bucket.
     */
    @Test
    void keyFloodAtTheBoundAdmitsAsFastAsBucketsRefillAndNeverSweepsTheWholeTablePerKey() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(now::get).maxKeys(1_600).build();
        RateLimit flood = RateLimit.of("flood", 1, Duration.ofMillis(10));
        int calls = 200_000;
        for (int i = 0; i < calls; i++) {
            now.addAndGet(1_000);
            limiter.tryAcquire("flood-" + i, flood);
        }

        // Each bucket refills 10 ms (10,000 calls) after it is made, so 1,600 keys fit in every
        // 10,000 calls: about 32,000 of the 200,000 are admitted, the rest refused.
        RateLimiterStats stats = limiter.stats();
        assertThat(stats.rejectedAtMaxKeys()).isBetween(160_000L, 170_000L);
        assertThat(stats.evictions()).isBetween(29_000L, 32_000L);
        assertThat(limiter.sweeps()).as("whole-table sweeps").isZero();
    }

    /** Every bucket is full again before the next key comes: no new key may be refused. */
    @Test
    void atMaxKeysANewKeyIsRefusedOnlyWhenNoBucketCanGo() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        InMemoryRateLimiter limiter = InMemoryRateLimiter.builder().ticker(now::get).maxKeys(10_000).build();
        // A token a microsecond, two microseconds between keys: far inside the cleanup interval.
        RateLimit limit = RateLimit.of("burst", 1, Duration.ofNanos(1_000));
        for (int i = 0; i < 200_000; i++) {
            now.addAndGet(2_000);
            assertThat(limiter.tryAcquire("key-" + i, limit)).as("key %d", i).isTrue();
        }

        assertThat(limiter.stats().rejectedAtMaxKeys()).isZero();
        assertThat(limiter.stats().activeBuckets()).isLessThanOrEqualTo(10_000);
    }

    /** A bucket taken again after its segment's bound was made: the refusal says the real wait. */
    @Test
    void atMaxKeysTheRetryAfterIsTheRealTimeUntilABucketCanGo() {
        InMemoryRateLimiter bounded = InMemoryRateLimiter.builder().ticker(ticker).maxKeys(64).build();
        for (int i = 0; i < 64; i++) {
            bounded.tryAcquire("user-" + i, SEARCH, 1);
        }
        // Each bucket was full again 2 s after its take; a second take a second later moves that to 4 s.
        ticker.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 64; i++) {
            bounded.tryAcquire("user-" + i, SEARCH, 1);
        }
        ticker.advance(Duration.ofSeconds(2));

        RateLimitDecision refused = bounded.acquire("newcomer", SEARCH, 1);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).as("until the first bucket is full again").isEqualTo(Duration.ofSeconds(1));
    }
}
