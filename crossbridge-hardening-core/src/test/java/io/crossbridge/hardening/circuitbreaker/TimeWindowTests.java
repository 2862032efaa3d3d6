package io.crossbridge.hardening.circuitbreaker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeWindowTests {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void secondsThatLeaveTheWindowAreNotCountedEvenBeforeANewCallClearsThem() {
        TimeWindow window = new TimeWindow(3);
        window.record(OutcomeWindow.FAILED, 0);
        window.record(0, SECOND);
        window.record(OutcomeWindow.FAILED, 2 * SECOND);

        assertThat(window.counts(2 * SECOND)).isEqualTo(new OutcomeWindow.Counts(3, 2, 0));
        assertThat(window.counts(3 * SECOND)).as("second 0 has left").isEqualTo(new OutcomeWindow.Counts(2, 1, 0));
        assertThat(window.counts(10 * SECOND)).as("every second has left").isEqualTo(new OutcomeWindow.Counts(0, 0, 0));
        assertThat(OutcomeWindow.Counts.unpack(window.record(OutcomeWindow.SLOW, 10 * SECOND)))
                .isEqualTo(new OutcomeWindow.Counts(1, 0, 1));
    }

    @Test
    void countsStayExactPastTwoMillionCallsAndThePackedRatesStayTheSame() {
        TimeWindow window = new TimeWindow(1);
        long packed = 0;
        for (int i = 0; i < 3_000_000; i++) {
            packed = window.record(i % 4 == 0 ? OutcomeWindow.FAILED : 0, 0);
        }

        assertThat(window.counts(0)).isEqualTo(new OutcomeWindow.Counts(3_000_000, 750_000, 0));
        OutcomeWindow.Counts scaled = OutcomeWindow.Counts.unpack(packed);
        assertThat(scaled.calls()).isLessThanOrEqualTo((int) OutcomeWindow.MASK).isGreaterThan(1_000_000);
        assertThat(scaled.failureRate()).isCloseTo(25f, org.assertj.core.data.Offset.offset(0.01f));
    }
}
