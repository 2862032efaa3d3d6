package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints one line at the end of the test run saying how many Redis tests were skipped, why, and
 * how to run them, so that a build without Redis says what it did not test. Registered through
 * {@code META-INF/services}; it counts the tests that {@link RedisTestMode} skipped.
 */
public final class RedisTestSummary implements TestExecutionListener {

    private final AtomicInteger skipped = new AtomicInteger();

    private final Set<String> reasons = new ConcurrentSkipListSet<>();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        String message = result.getThrowable().map(Throwable::getMessage).orElse(null);
        if (test.isTest() && result.getStatus() == TestExecutionResult.Status.ABORTED && message != null
                && message.startsWith(RedisTestMode.SKIPPED)) {
            skipped.incrementAndGet();
            reasons.add(message.substring(RedisTestMode.SKIPPED.length()));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (skipped.get() > 0) {
            String howToRun = RedisTestMode.current() == RedisTestMode.OFF ? "unset " + RedisTestMode.VARIABLE
                    : "install redis-server (the tests start their own servers, clusters and sentinels from it); "
                            + "CROSSBRIDGE_REDIS_URL or a Docker engine serve the single-server tests only";
            System.out.println("[crossbridge] " + skipped.get() + " Redis tests skipped (" + String.join("; ", reasons)
                    + "). To run them, " + howToRun + ".");
        }
        else if (RedisTestServer.source() != null) {
            System.out.println("[crossbridge] No Redis test skipped; the shared Redis was " + RedisTestServer.source()
                    + ".");
        }
    }
}
