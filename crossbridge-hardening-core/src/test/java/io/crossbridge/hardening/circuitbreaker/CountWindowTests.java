package io.crossbridge.hardening.circuitbreaker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The count window under concurrent recording: whatever the interleaving, the counts a recorder
 * gets back never hold more failures than calls, nor more calls than the ring and the recorders
 * still on their way. A recorder preempted between taking its slot and counting its outcome,
 * while others go round the ring, is the interleaving that matters; a ring of two slots and more
 * recorders than cores makes it common.
 */
class CountWindowTests {

    @Test
    void countsNeverUnderflowWhileRecordersLapTheRing() throws Exception {
        int threads = 4;
        CountWindow window = new CountWindow(2);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> recorders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int outcome = t % 2 == 0 ? OutcomeWindow.FAILED : 0;
                recorders.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2_000_000; i++) {
                        OutcomeWindow.Counts counts = OutcomeWindow.Counts.unpack(window.record(outcome, 0));
                        if (counts.failed() > counts.calls() || counts.calls() > 2 + threads || counts.slow() != 0) {
                            return "after " + i + " calls: " + counts;
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<String> recorder : recorders) {
                assertThat(recorder.get(60, TimeUnit.SECONDS)).isNull();
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(window.counts(0).calls()).isEqualTo(2);
    }
}
