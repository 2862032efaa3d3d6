package io.crossbridge.hardening.autoconfigure.call;

import io.crossbridge.hardening.Ticker;
import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog;
import io.crossbridge.hardening.autoconfigure.failure.FailureClassificationAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.circuitbreaker.CircuitState;
import io.crossbridge.hardening.retry.AttemptTimeoutException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time and lifecycle of reactive calls, on Reactor's virtual clock: a retry waits on a timer
 * for its backoff, a cancel during a wait stops retrying, exhaustion signals the last failure,
 * and a cancelled trial of a half-open breaker gives its permit back. Nothing here sleeps.
 */
@ExtendWith(BlockHoundInstalled.class)
class ReactiveTimingTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class,
                    RetryAutoConfiguration.class, CircuitBreakerAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.policies.slow.max-attempts=3",
                    "crossbridge.hardening.retry.policies.slow.base-delay=10s",
                    "crossbridge.hardening.retry.policies.slow.max-delay=10s",
                    "crossbridge.hardening.retry.policies.slow.multiplier=1",
                    "crossbridge.hardening.retry.policies.slow.jitter=none",
                    "crossbridge.hardening.circuit-breaker.instances.trial.minimum-calls=1",
                    "crossbridge.hardening.circuit-breaker.instances.trial.window-size=1",
                    "crossbridge.hardening.circuit-breaker.instances.trial.permitted-calls-in-half-open=1",
                    "crossbridge.hardening.circuit-breaker.instances.trial.wait-in-open=1m")
            .withUserConfiguration(FlakyConfiguration.class);

    @AfterEach
    void resetClock() {
        VirtualTimeScheduler.reset();
    }

    @Test
    void eachRetryWaitsItsBackoffOnATimer() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);
            flaky.failuresBeforeSuccess(2);

            StepVerifier.withVirtualTime(flaky::answer)
                    .expectSubscription()
                    .then(() -> assertThat(flaky.attempts()).isEqualTo(1))
                    .thenAwait(Duration.ofSeconds(9))
                    .then(() -> assertThat(flaky.attempts()).as("still waiting the 10 s backoff").isEqualTo(1))
                    .thenAwait(Duration.ofSeconds(1))
                    .then(() -> assertThat(flaky.attempts()).isEqualTo(2))
                    .thenAwait(Duration.ofSeconds(10))
                    .expectNext("answer 3")
                    .verifyComplete();
            assertThat(calls(context, "success_with_retry")).isEqualTo(1);
        });
    }

    @Test
    void exhaustionSignalsTheLastFailureWithTheEarlierOnesSuppressed() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);
            flaky.failuresBeforeSuccess(5);

            StepVerifier.withVirtualTime(flaky::answer)
                    .thenAwait(Duration.ofSeconds(20))
                    .expectErrorSatisfies(failure -> {
                        assertThat(failure).isInstanceOf(IOException.class).hasMessage("failure 3");
                        assertThat(failure.getSuppressed()).extracting(Throwable::getMessage)
                                .containsExactly("failure 1", "failure 2");
                    })
                    .verify();
            assertThat(flaky.attempts()).isEqualTo(3);
            assertThat(calls(context, "failed_with_retry")).isEqualTo(1);
        });
    }

    @Test
    void aCancelWhileWaitingStopsRetrying() {
        contextRunner.run(context -> {
            VirtualTimeScheduler clock = VirtualTimeScheduler.getOrSet();
            Flaky flaky = context.getBean(Flaky.class);
            flaky.failuresBeforeSuccess(5);

            Disposable subscription = flaky.answer().subscribe(value -> { }, failure -> { });
            clock.advanceTimeBy(Duration.ofSeconds(5));
            subscription.dispose();
            clock.advanceTimeBy(Duration.ofMinutes(5));

            assertThat(flaky.attempts()).isEqualTo(1);
            assertThat(context.getBean(MeterRegistry.class).find("crossbridge.retry.calls").counters())
                    .as("a cancelled call has no outcome to count").allMatch(counter -> counter.count() == 0);
        });
    }

    @Test
    void aCancelledTrialOfAHalfOpenBreakerGivesItsPermitBack() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);
            io.crossbridge.hardening.circuitbreaker.CircuitBreaker breaker = context
                    .getBean(CircuitBreakerCatalog.class).find("trial").orElseThrow();
            breaker.onError(1, new IOException("opens it"));
            assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
            context.getBean(FakeTicker.class).advance(Duration.ofMinutes(2));

            // The one trial permit, taken by a call that never answers, then cancelled.
            Disposable trial = flaky.guarded(Sinks.<String>one().asMono()).subscribe();
            assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
            StepVerifier.create(flaky.guarded(Mono.just("second"))).expectError().verify(Duration.ofSeconds(5));
            trial.dispose();

            StepVerifier.create(flaky.guarded(Mono.just("after the cancel"))).expectNext("after the cancel")
                    .verifyComplete();
            assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
        });
    }

    @Test
    void anAttemptOverItsTimeoutIsCancelledThenRetriedAfterItsBackoff() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);
            flaky.failuresBeforeSuccess(1);

            StepVerifier.withVirtualTime(flaky::late)
                    .expectSubscription()
                    .thenAwait(Duration.ofMillis(2999))
                    .then(() -> assertThat(flaky.cancels()).as("within its 3 s timeout").isZero())
                    .thenAwait(Duration.ofMillis(1))
                    .then(() -> assertThat(flaky.cancels()).as("cancelled by its timeout").isEqualTo(1))
                    .then(() -> assertThat(flaky.attempts()).as("waiting the 10 s backoff").isEqualTo(1))
                    .thenAwait(Duration.ofSeconds(10))
                    .expectNext("answer 2")
                    .verifyComplete();
            assertThat(calls(context, "success_with_retry")).isEqualTo(1);
        });
    }

    @Test
    void attemptsThatAllTimeOutEndWithTheLastTimeoutTheEarlierOnesSuppressed() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);
            flaky.failuresBeforeSuccess(5);

            StepVerifier.withVirtualTime(flaky::late)
                    .thenAwait(Duration.ofSeconds(3 + 10 + 3 + 10 + 3))
                    .expectErrorSatisfies(failure -> {
                        assertThat(failure).isInstanceOf(AttemptTimeoutException.class)
                                .hasMessage("attempt 3 took longer than its timeout of PT3S");
                        assertThat(failure.getSuppressed()).hasSize(2).allMatch(AttemptTimeoutException.class::isInstance);
                    })
                    .verify();
            assertThat(flaky.attempts()).isEqualTo(3);
            assertThat(flaky.cancels()).isEqualTo(3);
        });
    }

    @Test
    void aStreamThatEmittedIsNotCutByTheTimeoutWhichBoundsOnlyTheWaitForItsFirstElement() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);

            StepVerifier.withVirtualTime(flaky::slowStream)
                    .expectNext("first")
                    .thenAwait(Duration.ofSeconds(10))
                    .expectNext("second")
                    .verifyComplete();
            assertThat(flaky.attempts()).isEqualTo(1);
            assertThat(flaky.cancels()).isZero();
        });
    }

    @Test
    void aCompletionStageMethodStillAnswersWithAFuture() {
        contextRunner.run(context -> {
            Flaky flaky = context.getBean(Flaky.class);
            flaky.failuresBeforeSuccess(0);

            assertThat(flaky.future().get()).isEqualTo("answer 1");
        });
    }

    static double calls(ApplicationContext context, String outcome) {
        return context.getBean(MeterRegistry.class).find("crossbridge.retry.calls").tag("outcome", outcome).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    @Configuration(proxyBeanMethods = false)
    static class FlakyConfiguration {

        @Bean
        Flaky flaky() {
            return new Flaky();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        FakeTicker ticker() {
            return new FakeTicker();
        }
    }

    /** The breakers' clock, moved by the tests. */
    static final class FakeTicker implements Ticker {

        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }
    }

    /** Fails its first attempts with an I/O failure, then answers; counts the attempts it saw. */
    static class Flaky {

        private final AtomicInteger attempts = new AtomicInteger();

        private final AtomicInteger cancels = new AtomicInteger();

        private volatile int failures;

        void failuresBeforeSuccess(int failures) {
            this.failures = failures;
        }

        int attempts() {
            return attempts.get();
        }

        @RetryWithBackoff(policy = "slow")
        public Mono<String> answer() {
            return Mono.fromCallable(() -> {
                int attempt = attempts.incrementAndGet();
                if (attempt <= failures) {
                    throw new IOException("failure " + attempt);
                }
                return "answer " + attempt;
            });
        }

        @RetryWithBackoff(policy = "slow")
        public CompletableFuture<String> future() {
            return CompletableFuture.completedFuture("answer " + attempts.incrementAndGet());
        }

        /** Never answers its first attempts, which only their timeout ends. */
        @RetryWithBackoff(policy = "slow", timeout = "3s")
        public Mono<String> late() {
            return Mono.defer(() -> {
                int attempt = attempts.incrementAndGet();
                return attempt <= failures ? Mono.<String>never().doOnCancel(cancels::incrementAndGet)
                        : Mono.just("answer " + attempt);
            });
        }

        /** A first element at once, the second after three times the timeout. */
        @RetryWithBackoff(policy = "slow", timeout = "3s")
        public Flux<String> slowStream() {
            return Flux.defer(() -> {
                attempts.incrementAndGet();
                return Flux.concat(Mono.just("first"), Mono.delay(Duration.ofSeconds(10)).thenReturn("second"))
                        .doOnCancel(cancels::incrementAndGet);
            });
        }

        int cancels() {
            return cancels.get();
        }

        @CircuitBreaker(name = "trial")
        public Mono<String> guarded(Mono<String> call) {
            return call;
        }
    }
}
