package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What every {@link RateLimiter} store promises, run against each store. Windows are an hour
 * long, so the few milliseconds a real clock moves during a test refill far less than a token.
 */
abstract class RateLimiterContract {

    static final RateLimit FIVE_AN_HOUR = RateLimit.of("five", 5, Duration.ofHours(1));

    static final RateLimit TWO_AN_HOUR = RateLimit.of("two", 2, Duration.ofHours(1));

    /** Keys that try to escape their bucket; each must have its own. */
    static final List<String> HOSTILE_KEYS = List.of("a", "a:b", "two:a", "{a}", "a}", "{", "}", ":", "a\nb", "a\r\nb",
            "ключ", "鍵", "🔑", "a b", "%41", "A", "#", "*", "test:two:a", "two%3Aa", "five:a", "x".repeat(10_000),
            "x".repeat(10_001), "y".repeat(129), "%".repeat(43));

    /** The store under test, with no bucket yet. */
    abstract RateLimiter limiter();

    @Test
    void capacityIsAdmittedAtOnceThenRejectedWithARetryAfterOfAboutOneToken() {
        RateLimiter limiter = limiter();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("alice", FIVE_AN_HOUR)).as("call %d", i + 1).isTrue();
        }

        RateLimitDecision rejected = limiter.acquire("alice", FIVE_AN_HOUR, 1);

        assertThat(rejected.allowed()).isFalse();
        assertThat(rejected.remaining()).isLessThan(1);
        assertThat(rejected.retryAfter()).isGreaterThan(Duration.ofMinutes(11)).isLessThanOrEqualTo(Duration.ofMinutes(12));
        assertThat(rejected.timeToFull()).isGreaterThan(Duration.ofMinutes(59)).isLessThanOrEqualTo(Duration.ofHours(1));
    }

    @Test
    void tokensAreTakenAllOrNothing() {
        RateLimiter limiter = limiter();
        assertThat(limiter.acquire("bob", FIVE_AN_HOUR, 4).allowed()).isTrue();

        RateLimitDecision tooMany = limiter.acquire("bob", FIVE_AN_HOUR, 2);

        assertThat(tooMany.allowed()).isFalse();
        assertThat(limiter.acquire("bob", FIVE_AN_HOUR, 1).allowed()).isTrue();
        assertThat(limiter.tryAcquire("bob", FIVE_AN_HOUR)).isFalse();
    }

    @Test
    void allowedDecisionTellsWhatIsLeft() {
        RateLimitDecision decision = limiter().acquire("carol", FIVE_AN_HOUR, 2);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.remaining()).isBetween(3.0, 3.01);
        assertThat(decision.retryAfter()).isZero();
        assertThat(decision.timeToFull()).isGreaterThan(Duration.ofMinutes(23)).isLessThanOrEqualTo(Duration.ofMinutes(24));
    }

    @Test
    void eachKeyAndEachLimitHasItsOwnBucket() {
        RateLimiter limiter = limiter();
        limiter.acquire("dave", TWO_AN_HOUR, 2);

        assertThat(limiter.tryAcquire("dave", TWO_AN_HOUR)).isFalse();
        assertThat(limiter.tryAcquire("erin", TWO_AN_HOUR)).isTrue();
        assertThat(limiter.tryAcquire("dave", FIVE_AN_HOUR)).isTrue();
    }

    @Test
    void hostileKeysEachLandInTheirOwnBucket() {
        RateLimiter limiter = limiter();
        for (String key : HOSTILE_KEYS) {
            assertThat(limiter.acquire(key, TWO_AN_HOUR, 2).allowed()).as("first call of %s", abbreviate(key)).isTrue();
        }
        for (String key : HOSTILE_KEYS) {
            assertThat(limiter.tryAcquire(key, TWO_AN_HOUR)).as("second call of %s", abbreviate(key)).isFalse();
            assertThat(limiter.tryAcquire(key, FIVE_AN_HOUR)).as("%s under another limit", abbreviate(key)).isTrue();
        }
    }

    @Test
    void resetRefillsOneBucketOrEveryLimitOfAKey() {
        RateLimiter limiter = limiter();
        limiter.acquire("frank", TWO_AN_HOUR, 2);
        limiter.acquire("frank", FIVE_AN_HOUR, 5);
        limiter.acquire("gina", TWO_AN_HOUR, 2);

        limiter.reset("gina", TWO_AN_HOUR);
        assertThat(limiter.remaining("gina", TWO_AN_HOUR)).isEqualTo(2.0);
        assertThat(limiter.remaining("frank", TWO_AN_HOUR)).isLessThan(0.01);

        limiter.reset("frank");
        assertThat(limiter.remaining("frank", TWO_AN_HOUR)).isEqualTo(2.0);
        assertThat(limiter.remaining("frank", FIVE_AN_HOUR)).isEqualTo(5.0);

        limiter.acquire("gina", TWO_AN_HOUR, 2);
        limiter.resetAll();
        assertThat(limiter.remaining("gina", TWO_AN_HOUR)).isEqualTo(2.0);
    }

    @Test
    void acquireOrThrowNamesTheLimitAndKeepsTheKeyOutOfTheMessage() {
        RateLimiter limiter = limiter();
        limiter.acquire("sk-secret-key", TWO_AN_HOUR, 2);

        assertThatExceptionOfType(RateLimitExceededException.class)
                .isThrownBy(() -> limiter.acquireOrThrow("sk-secret-key", TWO_AN_HOUR, 1))
                .satisfies(ex -> assertThat(ex.limit()).isEqualTo(TWO_AN_HOUR))
                .satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("sk-secret-key"));
    }

    @Test
    void badInputIsRefusedAndAMissingKeyCountsAsRejected() {
        RateLimiter limiter = limiter();
        assertThatExceptionOfType(MissingRateLimitKeyException.class).isThrownBy(() -> limiter.tryAcquire(null, TWO_AN_HOUR));
        assertThatExceptionOfType(MissingRateLimitKeyException.class).isThrownBy(() -> limiter.tryAcquire(" ", TWO_AN_HOUR));
        assertThatIllegalArgumentException().isThrownBy(() -> limiter.acquire("hank", TWO_AN_HOUR, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> limiter.acquire("hank", TWO_AN_HOUR, 3));

        assertThat(limiter.stats().limits().get("two").rejected()).isEqualTo(2);
        assertThat(limiter.remaining("hank", TWO_AN_HOUR)).isEqualTo(2.0);
    }

    @Test
    void statsCountDecisionsPerLimit() {
        RateLimiter limiter = limiter();
        limiter.acquire("ivan", TWO_AN_HOUR, 2);
        limiter.tryAcquire("ivan", TWO_AN_HOUR);
        limiter.tryAcquire("ivan", FIVE_AN_HOUR);

        assertThat(limiter.stats().limits().get("two").allowed()).isEqualTo(1);
        assertThat(limiter.stats().limits().get("two").rejected()).isEqualTo(1);
        assertThat(limiter.stats().limits().get("five").allowed()).isEqualTo(1);
    }

    private static String abbreviate(String key) {
        return key.length() > 20 ? key.substring(0, 20) + "... (" + key.length() + " chars)" : key;
    }
}
