package io.crossbridge.hardening.failure;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads how long a provider asks callers to wait from its response headers: {@code Retry-After}
 * in either form of RFC 9110 section 10.2.3 (delta-seconds, or an HTTP-date in the preferred
 * IMF-fixdate form or the two obsolete forms recipients must accept), else {@code retry-after-ms}
 * (milliseconds, sent by some AI providers). A value that does not parse, is negative or names a
 * time in the past says nothing: never an exception, since a provider's header must not fail the
 * call it came with. A wait longer than {@link #LONGEST} is read as {@link #LONGEST}.
 */
public final class RetryAfter {

    /** The standard header. */
    public static final String HEADER = "Retry-After";

    /** The header some AI providers send, in milliseconds. */
    public static final String MILLIS_HEADER = "retry-after-ms";

    /**
     * The longest wait read from a header: far beyond any retry policy's {@code maxDelay}, so such
     * a value still stops retrying, and short enough to add to a nanosecond clock.
     */
    public static final Duration LONGEST = Duration.ofDays(365);

    private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]+");

    private static final Pattern MILLIS = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    /** The day name that starts every HTTP-date form, followed by a comma or not. */
    private static final Pattern DAY_NAME = Pattern.compile("^[A-Za-z]+,? ");

    /**
     * IMF-fixdate, RFC 850 and asctime, in the order RFC 9110 lists them, after their day name:
     * a wrong day name must not void the date, as java.time's cross-check would.
     */
    private static final List<DateTimeFormatter> HTTP_DATES = List.of(
            DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss 'GMT'", Locale.US),
            new DateTimeFormatterBuilder().appendPattern("dd-MMM-").appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
                    .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US),
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy", Locale.US));

    private RetryAfter() {
    }

    /**
     * Reads a response's hint: its {@code Retry-After}, else its {@code retry-after-ms}.
     *
     * @param header returns a header's first value by its (case-insensitive) name, or {@code null}
     * @param now    the time an HTTP-date is measured from
     */
    public static Optional<Duration> fromHeaders(UnaryOperator<String> header, Instant now) {
        Optional<Duration> standard = parse(header.apply(HEADER), now);
        return standard.isPresent() ? standard : parseMillis(header.apply(MILLIS_HEADER));
    }

    /** Reads a {@code Retry-After} value: delta-seconds or an HTTP-date after {@code now}. */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        if (DELTA_SECONDS.matcher(trimmed).matches()) {
            // More digits than a long holds is still a wait, and a long one.
            return Optional.of(trimmed.length() > 12 ? LONGEST : capped(Duration.ofSeconds(Long.parseLong(trimmed))));
        }
        String date = DAY_NAME.matcher(trimmed).replaceFirst("");
        for (DateTimeFormatter format : HTTP_DATES) {
            try {
                Instant at = LocalDateTime.parse(date, format).toInstant(ZoneOffset.UTC);
                return at.isBefore(now) ? Optional.empty() : Optional.of(capped(Duration.between(now, at)));
            }
            catch (DateTimeException ex) {
                // Not this form; try the next.
            }
        }
        return Optional.empty();
    }

    /** Reads a {@code retry-after-ms} value: a non-negative number of milliseconds. */
    public static Optional<Duration> parseMillis(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        if (!MILLIS.matcher(trimmed).matches()) {
            return Optional.empty();
        }
        BigDecimal nanos = new BigDecimal(trimmed).movePointRight(6);
        return Optional.of(nanos.compareTo(BigDecimal.valueOf(LONGEST.toNanos())) >= 0 ? LONGEST
                : Duration.ofNanos(nanos.longValue()));
    }

    private static Duration capped(Duration wait) {
        return wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
    }
}
