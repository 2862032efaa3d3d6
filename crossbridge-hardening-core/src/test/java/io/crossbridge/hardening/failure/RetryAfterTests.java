package io.crossbridge.hardening.failure;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

    /** Sun, 06 Nov 1994 08:49:37 GMT, the example of RFC 9110, less 10 s. */
    private static final Instant NOW = Instant.parse("1994-11-06T08:49:27Z");

    @Test
    void deltaSecondsAreAWait() {
        assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 1 ", NOW)).as("surrounding whitespace").contains(Duration.ofSeconds(1));
        assertThat(RetryAfter.parse("0", NOW)).contains(Duration.ZERO);
    }

    @Test
    void everyHttpDateFormIsReadAgainstNow() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).as("IMF-fixdate").contains(Duration.ofSeconds(10));
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).as("RFC 850").contains(Duration.ofSeconds(10));
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW)).as("asctime").contains(Duration.ofSeconds(10));
    }

    @Test
    void aWrongDayNameDoesNotVoidTheDate() {
        assertThat(RetryAfter.parse("Mon, 06 Nov 1994 08:49:37 GMT", NOW)).contains(Duration.ofSeconds(10));
    }

    @Test
    void aDateInThePastSaysNothing() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:26 GMT", NOW)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "  ", "-1", "1.5", "soon", "12s", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
            "0x10", "+5" })
    void garbageSaysNothing(String value) {
        assertThat(RetryAfter.parse(value, NOW)).isEmpty();
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    }

    @Test
    void hugeValuesAreCappedInsteadOfOverflowing() {
        assertThat(RetryAfter.parse("99999999999999999999999", NOW)).contains(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("40000000", NOW)).contains(RetryAfter.LONGEST);
        assertThat(RetryAfter.parseMillis("99999999999999999999999")).contains(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW)).contains(RetryAfter.LONGEST);
    }

    @Test
    void millisecondsAreReadWithTheirFraction() {
        assertThat(RetryAfter.parseMillis("300")).contains(Duration.ofMillis(300));
        assertThat(RetryAfter.parseMillis("1.5")).contains(Duration.ofNanos(1_500_000));
        assertThat(RetryAfter.parseMillis("-300")).isEmpty();
        assertThat(RetryAfter.parseMillis("soon")).isEmpty();
        assertThat(RetryAfter.parseMillis(null)).isEmpty();
    }

    @Test
    void theStandardHeaderWinsAndMillisecondsStandInWhenItSaysNothing() {
        assertThat(RetryAfter.fromHeaders(Map.of("Retry-After", "2", "retry-after-ms", "300")::get, NOW))
                .contains(Duration.ofSeconds(2));
        assertThat(RetryAfter.fromHeaders(Map.of("Retry-After", "garbage", "retry-after-ms", "300")::get, NOW))
                .contains(Duration.ofMillis(300));
        assertThat(RetryAfter.fromHeaders(Map.of("retry-after-ms", "300")::get, NOW)).contains(Duration.ofMillis(300));
        assertThat(RetryAfter.fromHeaders(Map.<String, String>of()::get, NOW)).isEmpty();
    }
}
