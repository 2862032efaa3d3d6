package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** What the store's failures write to the log: one report per interval, whatever happens meanwhile. */
@ExtendWith(OutputCaptureExtension.class)
class StoreFailuresTests {

    /** As a cluster with one shard down flaps: its decisions fail, the others' succeed. */
    @Test
    void aStoreThatFlapsBetweenFailingAndDecidingLogsOneReportAndOneRecovery(CapturedOutput output) {
        StoreFailures failures = new StoreFailures(Duration.ZERO);
        for (int i = 0; i < 1_000; i++) {
            failures.failed(StoreFailures.Kind.TIMEOUT, new TimeoutException());
            failures.succeeded();
        }

        assertThat(count(output, "cannot decide")).isEqualTo(1);
        assertThat(count(output, "decides again")).isEqualTo(1);
        assertThat(failures.count()).isEqualTo(1_000);
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
                    failures.failed(StoreFailures.Kind.CONNECTION, new IllegalStateException("refused"));
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(30_000);
        }

        assertThat(count(output, "cannot decide")).isEqualTo(1);
        assertThat(failures.count()).isEqualTo(4_000);
    }

    private static long count(CapturedOutput output, String text) {
        return output.getAll().lines().filter(line -> line.contains(text)).count();
    }
}
