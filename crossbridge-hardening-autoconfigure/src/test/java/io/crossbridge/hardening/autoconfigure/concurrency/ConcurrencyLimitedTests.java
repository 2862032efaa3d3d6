package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.failure.FailureClassificationAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.concurrency.ConcurrencyLimitExceededException;
import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;
import io.crossbridge.hardening.retry.AttemptTimeoutException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @ConcurrencyLimited} on blocking, asynchronous and reactive methods: never more calls in
 * flight than the limit, per name and per key; a full limit refused at once or after its wait; a
 * waiting caller that holds no thread and leaves the queue when it cancels; the place of the
 * advice against retries; the meters; and every place given back after 100,000 random calls.
 */
class ConcurrencyLimitedTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class,
                    ConcurrencyLimitAutoConfiguration.class, RetryAutoConfiguration.class,
                    CircuitBreakerAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withUserConfiguration(ProviderConfiguration.class)
            .withPropertyValues("crossbridge.hardening.concurrency.limits.provider.max-concurrent=3",
                    "crossbridge.hardening.concurrency.limits.provider.max-wait=10s",
                    "crossbridge.hardening.concurrency.limits.single.max-concurrent=1",
                    "crossbridge.hardening.concurrency.limits.per-user.max-concurrent=2",
                    "crossbridge.hardening.concurrency.limits.per-user.max-wait=10s",
                    "crossbridge.hardening.retry.policies.quick.max-attempts=3",
                    "crossbridge.hardening.retry.policies.quick.base-delay=1ms",
                    "crossbridge.hardening.retry.policies.quick.jitter=none");

    @Test
    void blockingCallsOfOneNameNeverExceedTheLimit() {
        contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            runOnThreads(8, 500, (thread, i) -> provider.busy());
            assertThat(provider.mostInFlight()).isBetween(2, 3);
            assertThat(limit(context, "provider").inFlight()).isZero();
            assertThat(context.getBean(MeterRegistry.class).get("crossbridge.concurrency.calls").tag("name", "provider")
                    .tag("outcome", "permitted").counter().count()).isEqualTo(4000);
        });
    }

    @Test
    void eachKeyHasItsOwnLimit() {
        contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            runOnThreads(8, 500, (thread, i) -> provider.busyFor("user-" + (thread % 2)));
            assertThat(provider.mostInFlightByKey()).containsOnlyKeys("user-0", "user-1");
            provider.mostInFlightByKey().values().forEach(most -> assertThat(most.get()).isBetween(1, 2));
            assertThat(limit(context, "per-user").keyed().keys()).isZero();
        });
    }

    @Test
    void aFullLimitWithoutWaitRefusesAtOnceNamingItself() {
        contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            CompletableFuture<String> held = new CompletableFuture<>();
            CompletableFuture<String> first = provider.single(held);

            assertThatThrownBy(() -> provider.single(new CompletableFuture<>()).join())
                    .hasCauseInstanceOf(ConcurrencyLimitExceededException.class)
                    .cause().hasMessage("Concurrency limit 'single' of 1 calls in flight is full");
            assertThat(provider.calls()).isEqualTo(1);
            assertThat(context.getBean(MeterRegistry.class).get("crossbridge.concurrency.calls").tag("name", "single")
                    .tag("outcome", "rejected").counter().count()).isEqualTo(1);

            held.complete("done");
            assertThat(first.join()).isEqualTo("done");
            assertThat(limit(context, "single").inFlight()).isZero();
        });
    }

    /**
     * A wait on a full limit ends within max-wait plus a margin, blocking and asynchronous alike.
     * Real time passes here, since what is tested is the real wait; the margin is generous for a
     * loaded CI machine, the lower bound exact.
     */
    @Test
    void waitsOnAFullLimitEndWithinMaxWaitPlusAMargin() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.single.max-wait=200ms").run(context -> {
            Provider provider = context.getBean(Provider.class);
            CompletableFuture<String> held = new CompletableFuture<>();
            CompletableFuture<String> first = provider.single(held);

            long blockingStart = System.nanoTime();
            assertThatThrownBy(provider::singleBlocking).isInstanceOf(ConcurrencyLimitExceededException.class);
            Duration blockingWait = Duration.ofNanos(System.nanoTime() - blockingStart);

            long asyncStart = System.nanoTime();
            CompletableFuture<String> waiting = provider.single(new CompletableFuture<>());
            assertThat(waiting).as("the caller's thread is not held").isNotDone();
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
            Duration asyncWait = Duration.ofNanos(System.nanoTime() - asyncStart);

            assertThat(blockingWait).isBetween(Duration.ofMillis(200), Duration.ofMillis(200 + 2000));
            assertThat(asyncWait).isBetween(Duration.ofMillis(200), Duration.ofMillis(200 + 2000));
            held.complete("done");
            assertThat(first.join()).isEqualTo("done");
            assertThat(limit(context, "single").inFlight()).isZero();
            assertThat(limit(context, "single").limiter().waiting()).isZero();
        });
    }

    @Test
    void aWaitUnderWayWhenTheApplicationClosesStillEndsAtItsMaxWait() {
        AtomicReference<CompletableFuture<String>> waiting = new AtomicReference<>();
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.single.max-wait=200ms").run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.single(new CompletableFuture<>());
            waiting.set(provider.single(new CompletableFuture<>()));
            assertThat(waiting.get()).isNotDone();
        });

        assertThatThrownBy(() -> waiting.get().get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConcurrencyLimitExceededException.class);
    }

    @Test
    void anAsynchronousCallerWaitsWithoutItsThreadAndLeavesTheQueueWhenItCancels() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.provider.max-concurrent=1").run(context -> {
            Provider provider = context.getBean(Provider.class);
            NamedConcurrencyLimit limit = limit(context, "provider");
            CompletableFuture<String> firstAnswer = new CompletableFuture<>();
            CompletableFuture<String> first = provider.async(firstAnswer);

            CompletableFuture<String> second = provider.async(CompletableFuture.completedFuture("second"));
            CompletableFuture<String> third = provider.async(CompletableFuture.completedFuture("third"));
            // Both returned to this thread at once, and neither ran.
            assertThat(second).isNotDone();
            assertThat(provider.calls()).isEqualTo(1);
            assertThat(limit.limiter().waiting()).isEqualTo(2);

            third.cancel(false);
            assertThat(limit.limiter().waiting()).isEqualTo(1);

            firstAnswer.complete("first");
            assertThat(first.join()).isEqualTo("first");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
            assertThat(provider.calls()).isEqualTo(2);
            assertThat(limit.inFlight()).isZero();
            assertThat(limit.limiter().waiting()).isZero();
        });
    }

    @Test
    void aReactiveSubscriberThatCancelsWhileWaitingLeavesTheQueue() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.provider.max-concurrent=1").run(context -> {
            Provider provider = context.getBean(Provider.class);
            NamedConcurrencyLimit limit = limit(context, "provider");
            CompletableFuture<String> firstAnswer = new CompletableFuture<>();
            CompletableFuture<String> first = provider.async(firstAnswer);

            Disposable waiting = provider.reactive(Mono.just("never")).subscribe();
            assertThat(limit.limiter().waiting()).isEqualTo(1);
            waiting.dispose();
            assertThat(limit.limiter().waiting()).isZero();

            Mono<String> next = provider.reactive(Mono.just("next"));
            firstAnswer.complete("first");
            first.join();
            assertThat(next.block(Duration.ofSeconds(10))).isEqualTo("next");
            assertThat(provider.calls()).isEqualTo(2);
            assertThat(limit.inFlight()).isZero();
        });
    }

    @Test
    void aRetriedAsynchronousCallerThatCancelsWhileWaitingLeavesTheQueue() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.provider.max-concurrent=1").run(context -> {
            Provider provider = context.getBean(Provider.class);
            NamedConcurrencyLimit limit = limit(context, "provider");
            CompletableFuture<String> firstAnswer = new CompletableFuture<>();
            CompletableFuture<String> first = provider.async(firstAnswer);

            CompletableFuture<String> retried = provider.retriedAsync(CompletableFuture.completedFuture("late"));
            assertThat(limit.limiter().waiting()).isEqualTo(1);
            retried.cancel(false);

            assertThat(limit.limiter().waiting()).isZero();
            firstAnswer.complete("first");
            first.join();
            assertThat(provider.calls()).isEqualTo(1);
            assertThat(limit.inFlight()).isZero();
        });
    }

    @Test
    void aFullLimitInsideACircuitBreakerIsAnsweredByTheFallbackAndNotCountedAsAFailure() {
        contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            CompletableFuture<String> held = new CompletableFuture<>();
            provider.single(held);

            assertThat(provider.singleWithFallback()).isEqualTo("fallback");
            held.complete("done");

            io.crossbridge.hardening.circuitbreaker.CircuitBreaker breaker = context
                    .getBean(io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog.class)
                    .find("default").orElseThrow();
            assertThat(breaker.metrics().calls()).isZero();
            assertThat(breaker.metrics().failedCalls()).isZero();
            assertThat(limit(context, "single").inFlight()).isZero();
        });
    }

    @Test
    void byDefaultEachAttemptOfARetriedCallTakesItsOwnPlace() {
        contextRunner.run(context -> {
            Provider provider = context.getBean(Provider.class);
            assertThat(provider.failingTwice()).isEqualTo("third attempt");
            assertThat(permitted(context, "single")).isEqualTo(3);
            assertThat(limit(context, "single").inFlight()).isZero();
        });
    }

    @Test
    void outsideTheRetryOneCallHoldsOnePlaceForAllItsAttempts() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.order=250").run(context -> {
            Provider provider = context.getBean(Provider.class);
            assertThat(provider.failingTwice()).isEqualTo("third attempt");
            assertThat(permitted(context, "single")).isEqualTo(1);
            assertThat(limit(context, "single").inFlight()).isZero();
        });
    }

    /**
     * A real provider on a loopback port, called through {@code RestClient}: its 503 and 429 are
     * overload signals that lower an adaptive (AIMD) limit, its 500 says nothing of its load.
     */
    @Test
    void aProvidersOverloadLowersAnAdaptiveLimitAndItsOtherFailuresDoNot() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.Queue<Integer> statuses = new java.util.concurrent.ConcurrentLinkedQueue<>(List.of(503, 500, 429));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(statuses.remove(), -1);
            exchange.close();
        });
        server.start();
        try {
            contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.adaptive.adaptive=true",
                    "crossbridge.hardening.concurrency.limits.adaptive.algorithm=aimd",
                    "crossbridge.hardening.concurrency.limits.adaptive.max-concurrent=10")
                    .withBean(ProviderClient.class, () -> new ProviderClient(RestClient.create("http://localhost:"
                            + server.getAddress().getPort())))
                    .run(context -> {
                        ProviderClient client = context.getBean(ProviderClient.class);
                        ConcurrencyLimiter limiter = limit(context, "adaptive").limiter();

                        assertThatThrownBy(client::fetch).isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
                        int afterUnavailable = limiter.limit();
                        assertThatThrownBy(client::fetch).isInstanceOf(HttpServerErrorException.InternalServerError.class);
                        int afterServerError = limiter.limit();
                        assertThatThrownBy(client::fetch).isInstanceOf(HttpClientErrorException.TooManyRequests.class);

                        assertThat(afterUnavailable).isLessThan(10);
                        assertThat(afterServerError).isEqualTo(afterUnavailable);
                        assertThat(limiter.limit()).isLessThan(afterServerError);
                        assertThat(limiter.inFlight()).isZero();
                    });
        }
        finally {
            server.stop(0);
        }
    }

    static class ProviderClient {

        private final RestClient client;

        ProviderClient(RestClient client) {
            this.client = client;
        }

        @ConcurrencyLimited(name = "adaptive")
        public String fetch() {
            return client.get().uri("/answer").retrieve().body(String.class);
        }
    }

    @Test
    void aNullKeyFailsTheCallNamingTheMethod() {
        contextRunner.run(context -> assertThatThrownBy(() -> context.getBean(Provider.class).busyFor(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("busyFor").hasMessageContaining("\"#user\" that gave null"));
    }

    /**
     * Blocking, asynchronous and reactive calls, from 4 threads, over the limit and per key,
     * retried or not, each succeeding, failing, being cancelled, timed out by its caller or by its
     * attempt's timeout, or answered by a fallback at random: afterwards no place is held, nobody
     * waits and no key is kept.
     */
    @Test
    void everyPlaceIsGivenBackAfter100000RandomCalls() {
        contextRunner.withPropertyValues("crossbridge.hardening.concurrency.limits.provider.max-wait=1ms",
                "crossbridge.hardening.concurrency.limits.per-user.max-wait=1ms").run(context -> {
            Provider provider = context.getBean(Provider.class);
            AtomicInteger timedOut = new AtomicInteger();
            runOnThreads(4, 25_000, (thread, i) -> {
                SplittableRandom random = new SplittableRandom(thread * 1_000_003L + i);
                boolean fail = random.nextInt(4) == 0;
                String user = "user-" + random.nextInt(3);
                CompletableFuture<String> answer = new CompletableFuture<>();
                switch (random.nextInt(9)) {
                    case 0 -> {
                        try {
                            provider.blocking(fail);
                        }
                        catch (RuntimeException expected) {
                            // failed, or refused
                        }
                    }
                    case 1 -> {
                        CompletableFuture<String> call = provider.async(answer);
                        finish(random, answer, call, fail);
                    }
                    case 2 -> {
                        CompletableFuture<String> call = provider.async(answer).orTimeout(random.nextInt(2), TimeUnit.MILLISECONDS);
                        finish(random, answer, call, fail);
                    }
                    case 3 -> {
                        // A cancel of the future cancels the subscription.
                        CompletableFuture<String> call = provider.reactive(Mono.fromFuture(answer)).toFuture();
                        finish(random, answer, call, fail);
                    }
                    case 4 -> finish(random, answer, provider.asyncFor(user, answer), fail);
                    case 5 -> finish(random, answer, provider.reactiveFor(user, Mono.fromFuture(answer)).toFuture(), fail);
                    case 6 -> finishTimed(random, provider.retriedTimedAsync(answersFrom(random, fail)), timedOut);
                    case 7 -> finishTimed(random, provider.retriedTimedReactive(answersFrom(random, fail)).toFuture(),
                            timedOut);
                    default -> {
                        try {
                            provider.withFallback(fail);
                        }
                        catch (RuntimeException expected) {
                            // refused while the circuit was half-open
                        }
                    }
                }
            });
            NamedConcurrencyLimit limit = limit(context, "provider");
            NamedConcurrencyLimit perUser = limit(context, "per-user");
            // The last waits end on the limit's timer, and the calls they let in may finish on
            // Reactor's threads: wait for those threads, never for a time to pass.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((limit.inFlight() > 0 || limit.limiter().waiting() > 0 || perUser.keyed().keys() > 0)
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            assertThat(limit.inFlight()).isZero();
            assertThat(limit.limiter().waiting()).isZero();
            assertThat(perUser.keyed().inFlight()).isZero();
            assertThat(perUser.keyed().keys()).as("no key kept once its calls ended").isZero();
            assertThat(permitted(context, "provider")).isPositive();
            assertThat(permitted(context, "per-user")).isPositive();
            assertThat(timedOut).as("calls whose every attempt timed out").hasPositiveValue();
        });
    }

    /**
     * Cancels the call or not, then ends it; and waits for its answer, so that each thread has
     * one call at a time and the queue stays as short as the threads are few.
     */
    private static void finish(SplittableRandom random, CompletableFuture<String> answer, CompletableFuture<String> call,
            boolean fail) {
        if (random.nextBoolean()) {
            call.cancel(false);
        }
        complete(answer, fail);
        call.handle((value, failure) -> null).join();
    }

    /**
     * The attempts of a retried call: they answer from a random attempt on (succeeding or
     * failing), the earlier ones never, so that their 1 ms timeout ends them; from attempt 4 on,
     * past the policy's 3, no attempt answers at all.
     */
    private static Answers answersFrom(SplittableRandom random, boolean fail) {
        return new Answers(random.nextInt(1, 5), fail);
    }

    /** Cancels the retried call or not, waits for its end, and counts those ended by timeouts. */
    private static void finishTimed(SplittableRandom random, CompletableFuture<String> call, AtomicInteger timedOut) {
        if (random.nextInt(4) == 0) {
            call.cancel(false);
        }
        call.handle((value, failure) -> {
            if (AsyncFailures.unwrap(failure) instanceof AttemptTimeoutException) {
                timedOut.incrementAndGet();
            }
            return null;
        }).join();
    }

    /** A fresh future for each attempt of one call. */
    static final class Answers {

        private final int answeringAttempt;

        private final boolean fail;

        private final AtomicInteger made = new AtomicInteger();

        Answers(int answeringAttempt, boolean fail) {
            this.answeringAttempt = answeringAttempt;
            this.fail = fail;
        }

        CompletableFuture<String> next() {
            if (made.incrementAndGet() < answeringAttempt) {
                return new CompletableFuture<>();
            }
            return fail ? CompletableFuture.failedFuture(new IOException("provider failed"))
                    : CompletableFuture.completedFuture("ok");
        }
    }

    private static void complete(CompletableFuture<String> answer, boolean fail) {
        if (fail) {
            answer.completeExceptionally(new IOException("provider failed"));
        }
        else {
            answer.complete("ok");
        }
    }

    private static NamedConcurrencyLimit limit(AssertableApplicationContext context, String name) {
        return context.getBean(ConcurrencyLimitCatalog.class).find(name).orElseThrow();
    }

    private static double permitted(AssertableApplicationContext context, String name) {
        return context.getBean(MeterRegistry.class).get("crossbridge.concurrency.calls").tag("name", name)
                .tag("outcome", "permitted").counter().count();
    }

    @FunctionalInterface
    interface Work {

        void run(int thread, int i) throws Exception;
    }

    private static void runOnThreads(int threads, int callsEach, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < callsEach; i++) {
                        work.run(thread, i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> each : done) {
                try {
                    each.get(120, TimeUnit.SECONDS);
                }
                catch (TimeoutException stuck) {
                    // Say where every thread is, so that a hang can be told from slowness.
                    Thread.getAllStackTraces().forEach((thread, frames) -> {
                        System.out.println("thread " + thread.getName() + " " + thread.getState());
                        for (StackTraceElement frame : frames) {
                            System.out.println("    at " + frame);
                        }
                    });
                    throw stuck;
                }
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProviderConfiguration {

        @Bean
        Provider provider() {
            return new Provider();
        }
    }

    /**
     * Counts its calls in flight from inside, as the limit's caller cannot; read through methods,
     * since the test holds the proxy, whose own fields are empty.
     */
    static class Provider {

        final AtomicInteger calls = new AtomicInteger();

        final AtomicInteger inFlight = new AtomicInteger();

        final AtomicInteger mostInFlight = new AtomicInteger();

        final Map<String, AtomicInteger> inFlightByKey = new ConcurrentHashMap<>();

        final Map<String, AtomicInteger> mostInFlightByKey = new ConcurrentHashMap<>();

        private final AtomicInteger attempts = new AtomicInteger();

        public int calls() {
            return calls.get();
        }

        public int mostInFlight() {
            return mostInFlight.get();
        }

        public Map<String, AtomicInteger> mostInFlightByKey() {
            return mostInFlightByKey;
        }

        @ConcurrencyLimited(name = "provider")
        public void busy() {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            work();
            inFlight.decrementAndGet();
        }

        @ConcurrencyLimited(name = "per-user", key = "#user")
        public void busyFor(String user) {
            AtomicInteger count = inFlightByKey.computeIfAbsent(user, k -> new AtomicInteger());
            mostInFlightByKey.computeIfAbsent(user, k -> new AtomicInteger()).accumulateAndGet(count.incrementAndGet(),
                    Math::max);
            work();
            count.decrementAndGet();
        }

        @ConcurrencyLimited(name = "provider")
        public String blocking(boolean fail) {
            if (fail) {
                throw new IllegalStateException("provider failed");
            }
            return "ok";
        }

        @ConcurrencyLimited(name = "single")
        public CompletableFuture<String> single(CompletableFuture<String> answer) {
            calls.incrementAndGet();
            return answer;
        }

        @ConcurrencyLimited(name = "single")
        public String singleBlocking() {
            return "ran";
        }

        @ConcurrencyLimited(name = "provider")
        public CompletableFuture<String> async(CompletableFuture<String> answer) {
            calls.incrementAndGet();
            return answer;
        }

        @ConcurrencyLimited(name = "provider")
        public Mono<String> reactive(Mono<String> answer) {
            return answer.doOnSubscribe(subscription -> calls.incrementAndGet());
        }

        @ConcurrencyLimited(name = "per-user", key = "#user")
        public CompletableFuture<String> asyncFor(String user, CompletableFuture<String> answer) {
            return answer;
        }

        @ConcurrencyLimited(name = "per-user", key = "#user")
        public Mono<String> reactiveFor(String user, Mono<String> answer) {
            return answer;
        }

        @RetryWithBackoff(policy = "quick", timeout = "1ms")
        @ConcurrencyLimited(name = "provider")
        public CompletableFuture<String> retriedTimedAsync(Answers answers) {
            return answers.next();
        }

        @RetryWithBackoff(policy = "quick", timeout = "1ms")
        @ConcurrencyLimited(name = "provider")
        public Mono<String> retriedTimedReactive(Answers answers) {
            return Mono.defer(() -> Mono.fromFuture(answers.next()));
        }

        @RetryWithBackoff(policy = "quick")
        @ConcurrencyLimited(name = "single")
        public String failingTwice() throws IOException {
            if (attempts.incrementAndGet() < 3) {
                throw new IOException("attempt " + attempts.get() + " failed");
            }
            return "third attempt";
        }

        @RetryWithBackoff(policy = "quick")
        @ConcurrencyLimited(name = "provider")
        public CompletableFuture<String> retriedAsync(CompletableFuture<String> answer) {
            calls.incrementAndGet();
            return answer;
        }

        @CircuitBreaker(fallback = "singleFallback")
        @ConcurrencyLimited(name = "single")
        public String singleWithFallback() {
            return "ran";
        }

        String singleFallback(Throwable failure) {
            return "fallback";
        }

        @CircuitBreaker(fallback = "fallback")
        @ConcurrencyLimited(name = "provider")
        public String withFallback(boolean fail) throws IOException {
            if (fail) {
                throw new IOException("provider failed");
            }
            return "ok";
        }

        String fallback(boolean fail, Throwable failure) {
            return "fallback";
        }

        private static void work() {
            for (int i = 0; i < 200; i++) {
                Thread.onSpinWait();
            }
            Thread.yield();
        }
    }
}
