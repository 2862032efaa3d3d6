package io.crossbridge.hardening.health;

import io.crossbridge.hardening.FakeTicker;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class HealthRegistryTests {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private final FakeTicker ticker = new FakeTicker();

    private final List<String> transitions = new CopyOnWriteArrayList<>();

    /** Released at the end of each test, so that no check is left blocked. */
    private final CountDownLatch never = new CountDownLatch(1);

    private final List<HealthRegistry> registries = new ArrayList<>();

    @AfterEach
    void closeRegistries() {
        never.countDown();
        registries.forEach(HealthRegistry::close);
    }

    @Test
    void emptyRegistryIsHealthyWithNoChecks() {
        HealthReport report = registry(3, Duration.ofSeconds(5)).runAll();

        assertThat(report.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(report.healthy()).isTrue();
        assertThat(report.results()).isEmpty();
    }

    @Test
    void overallStatusIsTheWorstOfAllChecks() {
        HealthRegistry registry = registry(1, Duration.ofSeconds(5));
        registry.register("a", HealthResult::healthy);
        assertThat(registry.runAll().status()).isEqualTo(HealthStatus.HEALTHY);

        registry.register("b", () -> HealthResult.degraded("slow"));
        HealthReport degraded = registry.runAll();
        assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(degraded.healthy()).isTrue();
        assertThat(degraded.degraded()).containsExactly("b");

        registry.register("c", () -> HealthResult.unhealthy("down"));
        HealthReport unhealthy = registry.runAll();
        assertThat(unhealthy.status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(unhealthy.healthy()).isFalse();
        assertThat(unhealthy.failed()).containsExactly("c");
        assertThat(unhealthy.results()).containsOnlyKeys("a", "b", "c");
        assertThat(registry.failedChecks()).containsExactly("c");
        assertThat(registry.isHealthy()).isFalse();
    }

    @Test
    void registrationIsValidated() {
        HealthRegistry registry = registry(3, Duration.ofSeconds(5));
        registry.register("openai", HealthResult::healthy);

        assertThatIllegalArgumentException().isThrownBy(() -> registry.register("openai", HealthResult::healthy))
                .withMessage("a health check named 'openai' is already registered");
        assertThatIllegalArgumentException().isThrownBy(() -> registry.register(" ", HealthResult::healthy))
                .withMessage("name of a health check must not be null or blank");
        assertThatIllegalArgumentException().isThrownBy(() -> registry.register("x", null))
                .withMessage("health check 'x' must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> registry.run("anthropic"))
                .withMessage("no health check named 'anthropic'; registered: [openai]");
        assertThat(registry.unregister("openai")).isTrue();
        assertThat(registry.unregister("openai")).isFalse();
        assertThat(registry.names()).isEmpty();
    }

    @Test
    void failuresBelowTheThresholdAreDegradedThenUnhealthyAndASuccessResets() {
        HealthRegistry registry = registry(3, Duration.ofSeconds(5));
        boolean[] up = { false };
        registry.register("openai", () -> {
            if (!up[0]) {
                throw new IOException("connection refused");
            }
            return HealthResult.healthy();
        });

        HealthResult first = registry.run("openai");
        HealthResult second = registry.run("openai");
        HealthResult third = registry.run("openai");
        up[0] = true;
        HealthResult recovered = registry.run("openai");
        up[0] = false;
        HealthResult againFailing = registry.run("openai");

        assertThat(first.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(first.message()).isEqualTo("java.io.IOException: connection refused");
        assertThat(first.errorType()).isEqualTo("java.io.IOException");
        assertThat(second).extracting(HealthResult::status, HealthResult::consecutiveFailures)
                .containsExactly(HealthStatus.DEGRADED, 2);
        assertThat(third).extracting(HealthResult::status, HealthResult::consecutiveFailures)
                .containsExactly(HealthStatus.UNHEALTHY, 3);
        assertThat(recovered).extracting(HealthResult::status, HealthResult::consecutiveFailures)
                .containsExactly(HealthStatus.HEALTHY, 0);
        assertThat(againFailing.status()).isEqualTo(HealthStatus.DEGRADED);
    }

    @Test
    void degradedResultIsNotAFailure() {
        HealthRegistry registry = registry(1, Duration.ofSeconds(5));
        registry.register("slow", () -> HealthResult.degraded("slow"));

        registry.run("slow");

        assertThat(registry.run("slow")).extracting(HealthResult::status, HealthResult::consecutiveFailures)
                .containsExactly(HealthStatus.DEGRADED, 0);
    }

    @Test
    void registryFillsDurationAndCheckedAt() {
        HealthRegistry registry = registry(3, Duration.ofSeconds(5));
        registry.register("timed", () -> {
            ticker.advance(Duration.ofMillis(120));
            return HealthResult.healthy();
        });

        HealthResult result = registry.run("timed");

        assertThat(result.duration()).isEqualTo(Duration.ofMillis(120));
        assertThat(result.checkedAt()).isEqualTo(NOW);
    }

    @Test
    void checkReturningNothingIsAFailure() {
        HealthRegistry registry = registry(1, Duration.ofSeconds(5));
        registry.register("null", () -> null);

        assertThat(registry.run("null").message()).isEqualTo("the check returned no result");
    }

    @Test
    void runAllReturnsWithinTheTimeoutWhenACheckNeverReturns() {
        HealthRegistry registry = registry(3, Duration.ofMillis(200));
        registry.register("hung", this::blockForever);
        registry.register("fine", HealthResult::healthy);

        long start = System.nanoTime();
        HealthReport report = registry.runAll();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(tookMillis).isLessThan(5_000);
        assertThat(report.results().get("fine").status()).isEqualTo(HealthStatus.HEALTHY);
        HealthResult hung = report.results().get("hung");
        assertThat(hung.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(hung.errorType()).isEqualTo("java.util.concurrent.TimeoutException");
        assertThat(hung.message()).contains("did not answer within PT0.2S");
    }

    @Test
    void hungCheckIsNotStartedAgainAndPilesUpNoThreads() {
        HealthRegistry registry = registry(3, Duration.ofMillis(100));
        AtomicInteger started = new AtomicInteger();
        registry.register("hung", () -> {
            started.incrementAndGet();
            return blockIgnoringInterrupts();
        });

        registry.runAll();
        long threadsAfterFirst = healthThreads();
        HealthReport last = null;
        for (int i = 0; i < 100; i++) {
            last = registry.runAll();
        }

        assertThat(started).hasValue(1);
        assertThat(healthThreads()).isEqualTo(threadsAfterFirst);
        assertThat(last.results().get("hung").status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(last.results().get("hung").message()).contains("still running");
    }

    @Test
    void aRunThatTimesOutIsInterrupted() throws Exception {
        HealthRegistry registry = registry(3, Duration.ofMillis(100));
        CountDownLatch interrupted = new CountDownLatch(1);
        registry.register("slow", () -> {
            try {
                return blockForever();
            }
            catch (InterruptedException ex) {
                interrupted.countDown();
                throw ex;
            }
        });

        assertThat(registry.runAll().results().get("slow").message()).contains("did not answer");

        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the timed-out run was interrupted").isTrue();
    }

    @Test
    void hungChecksNeverStarveTheOthersOfThreads() {
        HealthRegistry registry = HealthRegistry.builder().threads(2).timeout(Duration.ofMillis(200)).ticker(ticker)
                .build();
        registries.add(registry);
        for (int i = 0; i < 4; i++) {
            registry.register("hung-" + i, this::blockIgnoringInterrupts);
        }
        registry.register("provider", HealthResult::healthy);

        for (int round = 0; round < 3; round++) {
            HealthReport report = registry.runAll();
            assertThat(report.results().get("provider").status()).as("round %d", round).isEqualTo(HealthStatus.HEALTHY);
        }
    }

    @Test
    void aCheckThatAnswersAtOnceRunsOnTheAskingThreadOffThePool() {
        HealthRegistry registry = HealthRegistry.builder().threads(1).timeout(Duration.ofMillis(200)).ticker(ticker)
                .build();
        registries.add(registry);
        registry.register("hung", this::blockIgnoringInterrupts);
        List<String> ranOn = new CopyOnWriteArrayList<>();
        registry.register("breakers", HealthCheck.answeringAtOnce(() -> {
            ranOn.add(Thread.currentThread().getName());
            return HealthResult.healthy();
        }));

        for (int round = 0; round < 3; round++) {
            assertThat(registry.runAll().results().get("breakers").status()).isEqualTo(HealthStatus.HEALTHY);
        }
        assertThat(ranOn).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void refreshRunsTheCheckOffTheCallingThread() throws Exception {
        HealthRegistry registry = registry(3, Duration.ofSeconds(5));
        List<String> ranOn = new CopyOnWriteArrayList<>();
        CountDownLatch ran = new CountDownLatch(1);
        registry.register("breakers", HealthCheck.answeringAtOnce(() -> {
            ranOn.add(Thread.currentThread().getName());
            ran.countDown();
            return HealthResult.healthy();
        }));

        registry.refresh("breakers");

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn).doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void concurrentRunsShareOneInvocationOfACheck() throws Exception {
        HealthRegistry registry = registry(3, Duration.ofSeconds(5));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        registry.register("shared", () -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            release.await(5, TimeUnit.SECONDS);
            running.decrementAndGet();
            return HealthResult.healthy();
        });
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<HealthReport>> reports = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                reports.add(callers.submit(registry::runAll));
            }
            release.countDown();
            for (Future<HealthReport> report : reports) {
                assertThat(report.get(10, TimeUnit.SECONDS).status()).isEqualTo(HealthStatus.HEALTHY);
            }
        }
        finally {
            callers.shutdownNow();
        }

        assertThat(mostAtOnce).hasValue(1);
    }

    @Test
    void listenerHearsEveryStatusChange() {
        HealthRegistry registry = registry(2, Duration.ofSeconds(5));
        boolean[] up = { false };
        registry.register("openai", () -> up[0] ? HealthResult.healthy() : HealthResult.unhealthy("down"));

        registry.run("openai");
        registry.run("openai");
        registry.run("openai");
        up[0] = true;
        registry.run("openai");
        registry.run("openai");

        assertThat(transitions).containsExactly("openai:null->DEGRADED", "openai:DEGRADED->UNHEALTHY",
                "openai:UNHEALTHY->HEALTHY");
    }

    @Test
    void listenerHearsEveryResultTimeoutsIncluded() {
        List<String> results = new CopyOnWriteArrayList<>();
        HealthRegistry registry = HealthRegistry.builder().timeout(Duration.ofMillis(50)).listener(new HealthListener() {

            @Override
            public void onStatusChange(String name, HealthStatus previous, HealthStatus current) {
            }

            @Override
            public void onResult(String name, HealthResult result) {
                results.add(name + ":" + result.status() + ":" + result.errorType());
            }
        }).build();
        registries.add(registry);
        registry.register("fine", HealthResult::healthy);
        registry.register("hung", this::blockForever);

        registry.run("fine");
        registry.run("fine");
        registry.run("hung");

        assertThat(results).containsExactly("fine:HEALTHY:null", "fine:HEALTHY:null",
                "hung:DEGRADED:java.util.concurrent.TimeoutException");
    }

    @Test
    void lastOrFirstRunRunsACheckWithNoResultButNeverWaitsOnARunStartedElsewhere() throws Exception {
        HealthRegistry registry = registry(3, Duration.ofSeconds(30));
        registry.register("fine", HealthResult::healthy);
        CountDownLatch started = new CountDownLatch(1);
        registry.register("hung", () -> {
            started.countDown();
            return blockForever();
        });
        ExecutorService monitor = Executors.newSingleThreadExecutor();
        try {
            monitor.submit(() -> registry.run("hung"));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            long start = System.nanoTime();
            assertThat(registry.lastOrFirstRun("hung")).isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
            assertThat(registry.lastResult("fine")).isEmpty();
            assertThat(registry.lastOrFirstRun("fine")).hasValueSatisfying(
                    result -> assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY));
            assertThat(registry.lastResult("fine")).isPresent();
            assertThatIllegalArgumentException().isThrownBy(() -> registry.lastOrFirstRun("nope"))
                    .withMessage("no health check named 'nope'; registered: [fine, hung]");
        }
        finally {
            never.countDown();
            monitor.shutdownNow();
        }
    }

    @Test
    void failingListenerDoesNotBreakTheRegistry() {
        HealthRegistry registry = HealthRegistry.builder().listener((name, previous, current) -> {
            throw new IllegalStateException("alerting is down");
        }).build();
        registries.add(registry);
        registry.register("openai", HealthResult::healthy);

        assertThat(registry.run("openai").status()).isEqualTo(HealthStatus.HEALTHY);
    }

    @Test
    void monitoringKeepsResultsFreshAndMarksThemStaleWhenItStops() throws Exception {
        CountDownLatch recorded = new CountDownLatch(1);
        HealthRegistry registry = HealthRegistry.builder().ticker(ticker)
                .listener((name, previous, current) -> recorded.countDown()).build();
        registries.add(registry);
        registry.register("openai", HealthResult::healthy);

        registry.start(Duration.ofMinutes(1));
        assertThat(recorded.await(10, TimeUnit.SECONDS)).isTrue();
        HealthResult fresh = registry.lastResult("openai").orElseThrow();
        ticker.advance(Duration.ofMinutes(2));
        HealthResult stillFresh = registry.lastResult("openai").orElseThrow();
        ticker.advanceNanos(1);
        HealthResult stale = registry.lastResult("openai").orElseThrow();

        assertThat(fresh.stale()).isFalse();
        assertThat(stillFresh.stale()).isFalse();
        assertThat(stale.stale()).isTrue();
        assertThatIllegalStateException().isThrownBy(() -> registry.start(Duration.ofMinutes(1)))
                .withMessage("health monitoring has already started");
    }

    @Test
    void closeStopsMonitoringAndLeavesNoThreadBehind() throws Exception {
        long before = healthThreadsAfterJoining();
        HealthRegistry registry = registry(3, Duration.ofMillis(200));
        registry.register("hung", this::blockForever);
        registry.start(Duration.ofMillis(50));
        registry.runAll();

        registry.close();

        assertThat(healthThreadsAfterJoining()).isEqualTo(before);
        assertThatIllegalStateException().isThrownBy(registry::runAll).withMessage("the health registry is closed");
    }

    @Test
    void secretsInAFailureNeverReachTheReport() {
        HealthRegistry registry = registry(1, Duration.ofSeconds(5));
        registry.register("openai", () -> {
            throw new IOException("401 Unauthorized for api_key=sk-live-0123456789abcdef");
        });

        HealthReport report = registry.runAll();

        assertThat(report.toString()).doesNotContain("sk-live-0123456789abcdef").contains("api_key=******");
    }

    @Test
    void badSettingsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> HealthRegistry.builder().timeout(Duration.ZERO))
                .withMessage("timeout must be positive and at most 1 hour, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> HealthRegistry.builder().failureThreshold(0))
                .withMessage("failureThreshold must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> HealthRegistry.builder().threads(0))
                .withMessage("threads must be from 1 to 64, was 0");
        HealthRegistry registry = registry(3, Duration.ofSeconds(5));
        assertThatIllegalArgumentException().isThrownBy(() -> registry.start(Duration.ZERO))
                .withMessage("interval must be positive, was PT0S");
    }

    private HealthRegistry registry(int threshold, Duration timeout) {
        HealthRegistry registry = HealthRegistry.builder().failureThreshold(threshold).timeout(timeout).ticker(ticker)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .listener((name, previous, current) -> transitions.add(name + ":" + previous + "->" + current))
                .build();
        registries.add(registry);
        return registry;
    }

    private HealthResult blockForever() throws InterruptedException {
        never.await();
        return HealthResult.healthy();
    }

    /** Blocks as a socket read without a timeout does: an interrupt does not end it. */
    private HealthResult blockIgnoringInterrupts() {
        while (true) {
            try {
                never.await();
                return HealthResult.healthy();
            }
            catch (InterruptedException ex) {
                // Ignored, as blocking I/O ignores it.
            }
        }
    }

    private static long healthThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("crossbridge-health")).count();
    }

    /** Waits for check and monitor threads to end: a thread still alive after 5 s stays counted. */
    private static long healthThreadsAfterJoining() throws InterruptedException {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("crossbridge-health")) {
                thread.join(5_000);
            }
        }
        return healthThreads();
    }
}
