package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitDecision;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimiterStats;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reactive {@code @RateLimited} call whose decision comes later (as from Redis), held by the
 * test: the call goes on on one of Reactor's threads once it comes, and a subscriber that
 * cancels before it comes gets no call, while the decision's observation is ended as cancelled.
 */
@ExtendWith(BlockHoundInstalled.class)
class ReactiveDecisionTests {

    private final HeldDecisions limiter = new HeldDecisions();

    private final List<String> observed = new CopyOnWriteArrayList<>();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class))
            .withBean(RateLimiter.class, () -> limiter)
            .withBean(RateLimitObserver.class, () -> (name, limit, parent) -> new Recording(observed))
            .withBean(Limited.class);

    @Test
    void theCallGoesOnOnReactorsThreadsOnceTheDecisionComes() {
        contextRunner.run(context -> {
            Limited limited = context.getBean(Limited.class);

            StepVerifier.create(limited.call())
                    .then(() -> assertThat(limited.runs()).as("no call before the decision").isZero())
                    .then(limiter::allowHeld)
                    .expectNext("allowed")
                    .verifyComplete();
            assertThat(limited.thread()).startsWith("parallel-");
            assertThat(observed).containsExactly("allowed", "running", "returned", "end");
        });
    }

    @Test
    void aCancelBeforeTheDecisionComesRunsNoCallAndEndsTheObservation() {
        contextRunner.run(context -> {
            Limited limited = context.getBean(Limited.class);

            Disposable subscription = limited.call().subscribe();
            subscription.dispose();
            limiter.allowHeld();

            assertThat(limited.runs()).isZero();
            assertThat(observed).containsExactly("allowed", "cancelled");
        });
    }

    static class Limited {

        private final AtomicInteger runs = new AtomicInteger();

        private final AtomicReference<String> thread = new AtomicReference<>();

        @RateLimited(limit = "search", key = "'k'")
        public Mono<String> call() {
            return Mono.fromSupplier(() -> {
                runs.incrementAndGet();
                thread.set(Thread.currentThread().getName());
                return "allowed";
            });
        }

        public int runs() {
            return runs.get();
        }

        public String thread() {
            return thread.get();
        }
    }

    /** Decides every asynchronous call only when the test says so; the rest in memory. */
    static final class HeldDecisions implements RateLimiter {

        private final RateLimiter memory = new InMemoryRateLimiter();

        private final CompletableFuture<RateLimitDecision> held = new CompletableFuture<>();

        void allowHeld() {
            held.complete(new RateLimitDecision(true, 1, Duration.ZERO, Duration.ZERO));
        }

        @Override
        public CompletionStage<RateLimitDecision> acquireAsync(String key, RateLimit limit, int tokens) {
            return held;
        }

        @Override
        public RateLimitDecision acquire(String key, RateLimit limit, int tokens) {
            return memory.acquire(key, limit, tokens);
        }

        @Override
        public double remaining(String key, RateLimit limit) {
            return memory.remaining(key, limit);
        }

        @Override
        public void reset(String key, RateLimit limit) {
            memory.reset(key, limit);
        }

        @Override
        public void reset(String key) {
            memory.reset(key);
        }

        @Override
        public void resetAll() {
            memory.resetAll();
        }

        @Override
        public RateLimiterStats stats() {
            return memory.stats();
        }
    }

    /** Records what happens to one observed call. */
    private record Recording(List<String> events) implements RateLimitObserver.Call {

        @Override
        public void rejected(RuntimeException reason) {
            events.add("rejected");
        }

        @Override
        public void failed(Throwable failure) {
            events.add("failed");
        }

        @Override
        public void allowed() {
            events.add("allowed");
        }

        @Override
        public void running() {
            events.add("running");
        }

        @Override
        public void returned() {
            events.add("returned");
        }

        @Override
        public void end(Throwable failure) {
            events.add(failure == null ? "end" : "end with failure");
        }

        @Override
        public void cancelled() {
            events.add("cancelled");
        }
    }
}
