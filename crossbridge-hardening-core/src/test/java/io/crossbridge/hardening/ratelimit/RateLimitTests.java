package io.crossbridge.hardening.ratelimit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RateLimitTests {

    @Test
    void nanosPerTokenIsExactWhenTheWindowDividesEvenly() {
        RateLimit limit = RateLimit.of("search", 30, Duration.ofSeconds(60));

        assertThat(limit.nanosPerToken()).isEqualTo(2_000_000_000L);
        assertThat(limit.refillNanos()).isEqualTo(60_000_000_000L);
    }

    @Test
    void nanosPerTokenRoundsUpSoTheRefillIsNeverFasterThanTheLimit() {
        RateLimit limit = RateLimit.of("odd", 7, Duration.ofSeconds(1));

        assertThat(limit.nanosPerToken()).isEqualTo(142_857_143L);
        assertThat(limit.refillNanos()).isEqualTo(1_000_000_001L);
    }

    @Test
    void nullOrBlankNameIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of(null, 1, Duration.ofSeconds(1)))
                .withMessage("name of a rate limit must not be null or blank, was null");
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of(" ", 1, Duration.ofSeconds(1)))
                .withMessage("name of a rate limit must not be null or blank, was ' '");
    }

    @Test
    void nonPositiveCapacityIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of("search", 0, Duration.ofSeconds(1)))
                .withMessage("capacity of rate limit 'search' must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of("search", -5, Duration.ofSeconds(1)))
                .withMessageContaining("was -5");
    }

    @Test
    void nullZeroOrNegativeWindowIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of("search", 1, null))
                .withMessage("window of rate limit 'search' must be positive, was null");
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of("search", 1, Duration.ZERO))
                .withMessage("window of rate limit 'search' must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.of("search", 1, Duration.ofMillis(-1)))
                .withMessageContaining("was PT-0.001S");
    }

    @Test
    void windowBeyondTheMaximumIsRejectedInsteadOfOverflowing() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RateLimit.of("search", 1, Duration.ofSeconds(Long.MAX_VALUE)))
                .withMessageContaining("window of rate limit 'search' must be at most");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RateLimit.of("search", 1, RateLimit.MAX_REFILL.plusNanos(1)))
                .withMessageContaining("about 146 years");
    }

    @Test
    void rateAboveOneTokenPerNanosecondIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RateLimit.of("flood", Long.MAX_VALUE, Duration.ofNanos(1)))
                .withMessageContaining("more than one token per nanosecond");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RateLimit.of("flood", Long.MAX_VALUE, Duration.ofDays(36_525)))
                .withMessageContaining("more than one token per nanosecond");
    }

    @Test
    void refillLongerThanTheMaximumIsRejected() {
        // 2^61 + 1 tokens need 2 ns each: a span of 2^62 + 2 ns.
        long capacity = (1L << 61) + 1;
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RateLimit.of("huge", capacity, RateLimit.MAX_REFILL))
                .withMessageContaining("would take longer than");
    }

    @Test
    void extremeButRepresentableLimitsAreAccepted() {
        assertThat(RateLimit.of("nano", 1, Duration.ofNanos(1)).refillNanos()).isEqualTo(1);
        assertThat(RateLimit.of("century", 1, Duration.ofDays(36_525)).refillNanos())
                .isEqualTo(Duration.ofDays(36_525).toNanos());
        assertThat(RateLimit.of("wide", 1L << 62, RateLimit.MAX_REFILL).nanosPerToken()).isEqualTo(1);
    }
}
