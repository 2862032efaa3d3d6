package io.crossbridge.hardening.retry;

import io.crossbridge.hardening.failure.AuthenticationException;
import io.crossbridge.hardening.failure.NetworkException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AsyncRetryTests {

    private static final RetryPolicy EXACT = RetryPolicy.DEFAULT.withJitter(Jitter.NONE);

    /** Records each requested delay and runs the task at once: no test waits for time to pass. */
    private final RecordingScheduler scheduler = new RecordingScheduler();

    private final Retry retry = Retry.builder().build();

    @AfterEach
    void shutDown() {
        scheduler.shutdownNow();
    }

    @Test
    void failedStagesAreRetriedOnTheSchedulerUntilASuccess() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> threads = new CopyOnWriteArrayList<>();

        CompletableFuture<String> result = retry.callAsync(() -> {
            threads.add(Thread.currentThread().getName());
            return calls.incrementAndGet() < 3 ? CompletableFuture.failedFuture(new IOException("reset"))
                    : CompletableFuture.completedFuture("ok");
        }, EXACT, scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(scheduler.delays).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(threads.subList(1, 3)).allMatch(name -> name.startsWith("recording-scheduler"));
    }

    @Test
    void wrappedFailuresAreUnwrappedBeforeClassifying() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new CompletionException(new ExecutionException(new IOException("x"))))
                : CompletableFuture.completedFuture("ok"), EXACT, scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void permanentFailureFailsTheFutureWithTheSameException() {
        AuthenticationException denied = new AuthenticationException("bad key");

        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.<String>failedFuture(denied), EXACT,
                scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .withCause(denied);
        assertThat(scheduler.delays).isEmpty();
    }

    @Test
    void exhaustionFailsTheFutureWithEveryFailure() {
        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.failedFuture(new IOException("down")),
                EXACT, scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(RetryExhaustedException.class)
                .satisfies(ex -> assertThat(ex.getSuppressed()).hasSize(2));
    }

    @Test
    void supplierThatThrowsCountsAsAFailedAttempt() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new NetworkException("no route", null);
            }
            return CompletableFuture.completedFuture("ok");
        }, EXACT, scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void supplierReturningNullFailsTheFuture() {
        CompletableFuture<String> result = retry.callAsync(() -> null, EXACT, scheduler, RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(NullPointerException.class)
                .withMessage("the call returned null instead of a CompletionStage");
    }

    @Test
    void shutDownSchedulerFailsTheFutureWithTheLastFailureInsteadOfLeavingItPending() {
        scheduler.shutdown();
        IOException failure = new IOException("x");

        AtomicInteger retriesHeardOf = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.failedFuture(failure),
                EXACT, scheduler, (attempt, cause, delay) -> retriesHeardOf.incrementAndGet());

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .withCause(failure);
        // No retry was announced that could not come.
        assertThat(retriesHeardOf).hasValue(0);
    }

    @Test
    void aResultToRetryOnAShutDownSchedulerFailsTheFutureSayingSoAndAnnouncesNoRetry() {
        scheduler.shutdown();
        AtomicInteger retriesHeardOf = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> CompletableFuture.completedFuture("busy"),
                EXACT.withRetryOnResult("busy"::equals), scheduler,
                (attempt, cause, delay) -> retriesHeardOf.incrementAndGet());

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(IllegalStateException.class)
                .withMessage("attempt 1 gave a result the policy retries, and the retry scheduler was shut down");
        assertThat(retriesHeardOf).hasValue(0);
    }

    /** As the README says: a closed timer cannot end the attempt, which its client then bounds. */
    @Test
    void anAttemptStartedAfterTheSchedulerShutDownRunsWithoutItsTimeout() throws Exception {
        ScheduledThreadPoolExecutor closed = new ScheduledThreadPoolExecutor(1);
        closed.shutdown();
        CompletableFuture<String> late = new CompletableFuture<>();

        CompletableFuture<String> result = retry.callAsync(() -> late, EXACT.withAttemptTimeout(Duration.ofSeconds(2)),
                closed, RetryListener.NONE);

        assertThat(result).isNotDone();
        late.complete("answer");
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
    }

    @Test
    void aBackoffThatRunsOutAfterTheSchedulerShutDownStartsNoRetry() {
        ManualScheduler manual = new ManualScheduler();
        IOException failure = new IOException("x");
        AtomicInteger calls = new AtomicInteger();
        try {
            CompletableFuture<String> result = retry.callAsync(() -> {
                calls.incrementAndGet();
                return CompletableFuture.failedFuture(failure);
            }, EXACT, manual, RetryListener.NONE);
            manual.shutdown();
            manual.commands.get(0).run();

            assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                    .withCause(failure);
            assertThat(calls).hasValue(1);
        }
        finally {
            manual.shutdownNow();
        }
    }

    @Test
    void cancelledFutureMakesNoFurtherAttempt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> firstStage = new CompletableFuture<>();

        CompletableFuture<String> result = retry.callAsync(() -> {
            calls.incrementAndGet();
            return firstStage;
        }, EXACT, scheduler, RetryListener.NONE);
        result.cancel(false);
        firstStage.completeExceptionally(new IOException("late"));
        scheduler.shutdown();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(calls).hasValue(1);
    }

    @Test
    void attemptOverItsTimeoutIsCancelledByTheTimeoutAndRetried() throws Exception {
        CompletableFuture<String> hanging = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> calls.incrementAndGet() == 1 ? hanging
                : CompletableFuture.completedFuture("ok"), EXACT.withAttemptTimeout(Duration.ofSeconds(2)), scheduler,
                RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        // The timeout's wait, then the backoff's: the second attempt, done at once, needs no timer.
        assertThat(scheduler.delays).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(500));
        assertThat(hanging).isCancelled();
        // Its own failure, not join()'s: Java 25's join() wraps a cancellation in a new one.
        assertThat(hanging.handle((value, failure) -> failure).join()).isInstanceOf(CancellationException.class)
                .cause().isInstanceOf(AttemptTimeoutException.class)
                .hasMessage("attempt 1 took longer than its timeout of PT2S");
    }

    @Test
    void aFutureOfItsOwnKindIsTimedOutThroughItsCancel() throws Exception {
        List<Boolean> cancelsThatEndedIt = new CopyOnWriteArrayList<>();
        // Like Reactor's toFuture(), which stops its request only in a cancel that ends it.
        CompletableFuture<String> ownKind = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean pending = !isDone();
                super.cancel(mayInterruptIfRunning);
                cancelsThatEndedIt.add(pending);
                return pending;
            }
        };
        AtomicInteger calls = new AtomicInteger();

        CompletableFuture<String> result = retry.callAsync(() -> calls.incrementAndGet() == 1 ? ownKind
                : CompletableFuture.completedFuture("ok"), EXACT.withAttemptTimeout(Duration.ofSeconds(2)), scheduler,
                RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(cancelsThatEndedIt).as("the timeout's cancel ended it; later ones found it done").startsWith(true);
    }

    @Test
    void aStageSeenAsACopyIsStillTimedOutAndRetried() throws Exception {
        CompletableFuture<String> hanging = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();

        // A minimal stage's toCompletableFuture() is a copy: the timeout ends that copy.
        CompletableFuture<String> result = retry.callAsync(() -> calls.incrementAndGet() == 1
                ? hanging.minimalCompletionStage() : CompletableFuture.completedFuture("ok"),
                EXACT.withAttemptTimeout(Duration.ofSeconds(2)), scheduler, RetryListener.NONE);

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(calls).hasValue(2);
    }

    @Test
    void attemptsThatAllTimeOutExhaustTheRetryWithTheTimeout() {
        RetryPolicy policy = EXACT.withAttemptTimeout(Duration.ofMillis(50));

        CompletableFuture<String> result = retry.callAsync(CompletableFuture::new, policy, scheduler,
                RetryListener.NONE);

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(RetryExhaustedException.class)
                .satisfies(ex -> assertThat(ex.getCause()).isInstanceOf(AttemptTimeoutException.class)
                        .hasMessage("attempt 3 took longer than its timeout of PT0.05S"));
    }

    @Test
    void attemptDoneBeforeItsTimeoutIsLeftAlone() throws Exception {
        CompletableFuture<String> pending = new CompletableFuture<>();
        ManualScheduler manual = new ManualScheduler();
        try {
            CompletableFuture<String> result = retry.callAsync(() -> pending,
                    EXACT.withAttemptTimeout(Duration.ofSeconds(2)), manual, RetryListener.NONE);
            pending.complete("ok");

            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(manual.scheduled).singleElement().satisfies(timer -> assertThat(timer.isCancelled()).isTrue());
        }
        finally {
            manual.shutdownNow();
        }
    }

    /** Keeps what is scheduled without running it. */
    static final class ManualScheduler extends ScheduledThreadPoolExecutor {

        final List<ScheduledFuture<?>> scheduled = new CopyOnWriteArrayList<>();

        final List<Runnable> commands = new CopyOnWriteArrayList<>();

        ManualScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            ScheduledFuture<?> future = super.schedule(command, 1, TimeUnit.DAYS);
            scheduled.add(future);
            commands.add(command);
            return future;
        }
    }

    static final class RecordingScheduler extends ScheduledThreadPoolExecutor {

        final List<Duration> delays = new CopyOnWriteArrayList<>();

        RecordingScheduler() {
            super(1, runnable -> new Thread(runnable, "recording-scheduler"));
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            return super.schedule(command, 0, unit);
        }
    }
}
