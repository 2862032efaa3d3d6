package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the store's failures pause, report to health and write to the log: per cluster master,
 * one report per interval whatever happens meanwhile, and a recovery once no node fails.
 */
@ExtendWith(OutputCaptureExtension.class)
class StoreFailuresTests {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    /** As a cluster with one master down: its decisions fail, the others' succeed. */
    @Test
    void aClusterWithAMasterDownLogsOneReportAndRecoversOnlyWhenThatMasterDecides(CapturedOutput output) {
        StoreFailures failures = new StoreFailures(Duration.ZERO, nanos::get);
        StoreFailures.Node down = failures.node("10.0.0.1:6379");
        StoreFailures.Node up = failures.node("10.0.0.2:6379");
        for (int i = 0; i < 1_000; i++) {
            failures.failed(down, StoreFailures.Kind.TIMEOUT, new TimeoutException());
            failures.succeeded(up);
            nanos.addAndGet(1_000_000);
        }
        assertThat(count(output, "cannot decide on 10.0.0.1:6379")).isEqualTo(1);
        assertThat(count(output, "decides again")).as("while a master is down").isZero();

        failures.succeeded(down);
        failures.succeeded(up);

        assertThat(count(output, "cannot decide")).isEqualTo(1);
        assertThat(count(output, "decides again")).isEqualTo(1);
        assertThat(failures.count()).isEqualTo(1_000);
    }

    /** As a master replaced by its replica: no decision reaches it again, and no health check runs. */
    @Test
    void aMasterThatNoDecisionReachesAnyMoreStopsHoldingBackTheRecoveryAfterThirtySeconds(CapturedOutput output) {
        StoreFailures failures = new StoreFailures(Duration.ZERO, nanos::get);
        StoreFailures.Node replaced = failures.node("10.0.0.1:6379");
        StoreFailures.Node up = failures.node("10.0.0.2:6379");
        failures.failed(replaced, StoreFailures.Kind.TIMEOUT, new TimeoutException());
        failures.succeeded(up);
        assertThat(count(output, "decides again")).isZero();

        nanos.addAndGet(StoreFailures.RECENT.toNanos());
        failures.succeeded(up);

        assertThat(count(output, "decides again")).isEqualTo(1);
    }

    /** As a single Redis that flaps: every other decision fails. */
    @Test
    void aStoreThatFlapsLogsOneReportAndOneRecovery(CapturedOutput output) {
        StoreFailures failures = new StoreFailures(Duration.ZERO, nanos::get);
        for (int i = 0; i < 1_000; i++) {
            failures.failed(failures.node(null), StoreFailures.Kind.TIMEOUT, new TimeoutException());
            failures.succeeded(failures.node(null));
            nanos.addAndGet(1_000_000);
        }

        assertThat(count(output, "cannot decide (timeout")).isEqualTo(1);
        assertThat(count(output, "decides again")).isEqualTo(1);
    }

    @Test
    void aMasterThatFailedPausesOnlyTheDecisionsOnItsOwnSlots() {
        StoreFailures failures = new StoreFailures(Duration.ofMillis(500), nanos::get);
        StoreFailures.Node down = failures.node("10.0.0.1:6379");
        failures.failed(down, StoreFailures.Kind.CONNECTION, new IllegalStateException("refused"));

        assertThat(failures.pausing(failures.node("10.0.0.1:6379"))).isTrue();
        assertThat(failures.pausing(failures.node("10.0.0.2:6379"))).isFalse();
        assertThat(failures.pausing(failures.node(null))).isFalse();
        nanos.addAndGet(Duration.ofMillis(501).toNanos());
        assertThat(failures.pausing(down)).as("after the pause").isFalse();
    }

    @Test
    void healthNamesEachFailingMasterUntilItDecidesOrNoLongerHoldsSlots() {
        StoreFailures failures = new StoreFailures(Duration.ZERO, nanos::get);
        StoreFailures.Node first = failures.node("10.0.0.1:6379");
        StoreFailures.Node second = failures.node("10.0.0.2:6379");
        failures.failed(first, StoreFailures.Kind.TIMEOUT, new TimeoutException("late"));
        failures.failed(second, StoreFailures.Kind.CONNECTION, new IllegalStateException("refused"));
        failures.succeeded(failures.node("10.0.0.3:6379"));

        assertThat(failures.recentFailure(address -> true)).isEqualTo(new StoreFailures.RecentFailure(
                "on 10.0.0.1:6379: timeout, TimeoutException: late; "
                        + "on 10.0.0.2:6379: connection, IllegalStateException: refused", true));

        failures.succeeded(first);
        assertThat(failures.recentFailure(address -> true)).isEqualTo(new StoreFailures.RecentFailure(
                "on 10.0.0.2:6379: connection, IllegalStateException: refused", true));
        assertThat(failures.recentFailure(address -> !address.equals("10.0.0.2:6379"))).isNull();
        assertThat(failures.recentFailure(address -> true)).as("forgotten, once replaced").isNull();
    }

    @Test
    void aFailureIsRecentForThirtySeconds() {
        StoreFailures failures = new StoreFailures(Duration.ZERO, nanos::get);
        failures.failed(failures.node(null), StoreFailures.Kind.TIMEOUT, new TimeoutException());
        assertThat(failures.recentFailure(address -> true))
                .isEqualTo(new StoreFailures.RecentFailure("timeout, TimeoutException", false));

        nanos.addAndGet(StoreFailures.RECENT.toNanos());
        assertThat(failures.recentFailure(address -> true)).isNull();
    }

    @Test
    void threadsFailingAtOnceLogOneReport(CapturedOutput output) throws InterruptedException {
        StoreFailures failures = new StoreFailures(Duration.ZERO);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                }
                catch (InterruptedException ex) {
                    return;
                }
                for (int i = 0; i < 1_000; i++) {
                    failures.failed(failures.node(null), StoreFailures.Kind.CONNECTION,
                            new IllegalStateException("refused"));
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(30_000);
        }

        assertThat(count(output, "cannot decide (connection")).isEqualTo(1);
        assertThat(failures.count()).isEqualTo(4_000);
    }

    private static long count(CapturedOutput output, String text) {
        return output.getAll().lines().filter(line -> line.contains(text)).count();
    }
}
