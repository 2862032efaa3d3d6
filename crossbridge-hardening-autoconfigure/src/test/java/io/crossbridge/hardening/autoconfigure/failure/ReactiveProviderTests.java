package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.ObservationLog;
import io.crossbridge.hardening.autoconfigure.call.CallContext;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.failure.ScriptedProvider.Step;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.failure.FailureClassification;
import io.crossbridge.hardening.failure.FailureKind;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reactive methods calling a real provider on a loopback port through a real {@code WebClient}
 * (Reactor Netty), under each annotation. Every subscription starts on one of Reactor's parallel
 * threads with BlockHound installed, so a blocking call anywhere in the starter fails the test.
 */
@ExtendWith(BlockHoundInstalled.class)
class ReactiveProviderTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ScriptedProvider provider = new ScriptedProvider();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class,
                    RetryAutoConfiguration.class, RateLimiterAutoConfiguration.class,
                    CircuitBreakerAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.policies.provider.max-attempts=3",
                    "crossbridge.hardening.retry.policies.provider.base-delay=1ms",
                    "crossbridge.hardening.retry.policies.provider.jitter=none",
                    "crossbridge.hardening.rate-limit.limits.provider.capacity=2",
                    "crossbridge.hardening.rate-limit.limits.provider.window=1h",
                    "crossbridge.hardening.circuit-breaker.instances.provider.minimum-calls=2",
                    "crossbridge.hardening.circuit-breaker.instances.provider.window-size=2",
                    "crossbridge.hardening.circuit-breaker.instances.provider.wait-in-open=1h",
                    "crossbridge.hardening.circuit-breaker.instances.everything.window-size=10",
                    "crossbridge.hardening.circuit-breaker.instances.stream.window-size=10")
            .withUserConfiguration(ReactiveClientsConfiguration.class);

    @Test
    void aMonoFailingTwiceWith503ThenSucceedingMakesThreeRequestsAndYieldsTheValue() {
        contextRunner.run(context -> {
            provider.script(Step.status(503), Step.status(503), Step.ok());

            StepVerifier.create(onParallel(() -> context.getBean(ReactiveClients.class).answer()))
                    .expectNext("answer")
                    .verifyComplete();
            assertThat(provider.requests()).isEqualTo(3);
            assertThat(ProviderClientsTests.calls(context, "success_with_retry")).isEqualTo(1);
        });
    }

    @Test
    void aMonoFailingWithAPermanentStatusIsNotRetried() {
        contextRunner.run(context -> {
            provider.script(Step.status(404));

            StepVerifier.create(onParallel(() -> context.getBean(ReactiveClients.class).answer()))
                    .expectErrorSatisfies(failure -> assertThat(failure).isInstanceOf(WebClientResponseException.NotFound.class))
                    .verify(TIMEOUT);
            assertThat(provider.requests()).isEqualTo(1);
            assertThat(ProviderClientsTests.calls(context, "failed_without_retry")).isEqualTo(1);
        });
    }

    @Test
    void nothingIsRequestedUntilASubscriptionAndEachSubscriptionIsACallOfItsOwn() {
        contextRunner.run(context -> {
            provider.script(Step.ok());
            Mono<String> answer = context.getBean(ReactiveClients.class).answer();
            assertThat(provider.requests()).isZero();

            StepVerifier.create(answer.subscribeOn(Schedulers.parallel())).expectNext("answer").verifyComplete();
            StepVerifier.create(answer.subscribeOn(Schedulers.parallel())).expectNext("answer").verifyComplete();
            assertThat(provider.requests()).isEqualTo(2);
            assertThat(ProviderClientsTests.calls(context, "success_without_retry")).isEqualTo(2);
        });
    }

    @Test
    void aFluxFailingBeforeItsFirstElementIsRetried() {
        contextRunner.run(context -> {
            provider.script(Step.dropConnection(), Step.status(503), Step.lines("a", "b", "c", "d"));

            StepVerifier.create(onParallel(() -> context.getBean(ReactiveClients.class).stream()))
                    .expectNext("a", "b", "c", "d")
                    .verifyComplete();
            assertThat(provider.requests()).isEqualTo(3);
        });
    }

    @Test
    void aFluxFailingAfterItsThirdElementIsNotRetriedSoNoElementArrivesTwice() {
        contextRunner.run(context -> {
            provider.script(Step.linesThenDrop("a", "b", "c"), Step.lines("a", "b", "c", "d"));

            StepVerifier.create(onParallel(() -> context.getBean(ReactiveClients.class).stream()))
                    .expectNext("a", "b", "c")
                    .expectErrorSatisfies(failure -> assertThat(context.getBean(FailureClassification.class)
                            .classify(failure)).as("a failure retried had nothing been emitted: %s", failure)
                            .isEqualTo(FailureKind.TRANSIENT))
                    .verify(TIMEOUT);
            assertThat(provider.requests()).isEqualTo(1);
            assertThat(ProviderClientsTests.calls(context, "failed_without_retry")).isEqualTo(1);
        });
    }

    @Test
    void aRateLimitTakesItsTokensPerSubscriptionAndRefusesWithAnErrorSignal() {
        contextRunner.run(context -> {
            provider.script(Step.ok());
            ReactiveClients clients = context.getBean(ReactiveClients.class);
            List<Mono<String>> calls = List.of(clients.limited(), clients.limited(), clients.limited());
            assertThat(provider.requests()).as("no tokens taken, nothing asked, before a subscription").isZero();

            StepVerifier.create(calls.get(0).subscribeOn(Schedulers.parallel())).expectNext("answer").verifyComplete();
            StepVerifier.create(calls.get(1).subscribeOn(Schedulers.parallel())).expectNext("answer").verifyComplete();
            StepVerifier.create(calls.get(2).subscribeOn(Schedulers.parallel()))
                    .expectError(RateLimitExceededException.class)
                    .verify(TIMEOUT);
            assertThat(provider.requests()).isEqualTo(2);
        });
    }

    @Test
    void failingMonosGetTheFallbackMonoAndThenOpenTheBreaker() {
        contextRunner.run(context -> {
            provider.script(Step.status(503));
            ReactiveClients clients = context.getBean(ReactiveClients.class);

            for (int i = 0; i < 2; i++) {
                StepVerifier.create(onParallel(clients::guarded)).expectNext("fallback").verifyComplete();
            }
            assertThat(provider.requests()).isEqualTo(2);
            assertThat(context.getBean(io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog.class)
                    .find("provider").orElseThrow().state().name()).isEqualTo("OPEN");

            StepVerifier.create(onParallel(clients::guarded))
                    .expectError(io.crossbridge.hardening.circuitbreaker.CallNotPermittedException.class)
                    .verify(TIMEOUT);
            assertThat(provider.requests()).as("an open circuit asks nothing; the fallback takes only the provider's answers")
                    .isEqualTo(2);
        });
    }

    @Test
    void aStreamThatFailsAfterItsFirstElementsGetsNoFallbackAppendedButCountsAgainstTheBreaker() {
        contextRunner.run(context -> {
            provider.script(Step.linesThenDrop("a", "b"));
            ReactiveClients clients = context.getBean(ReactiveClients.class);

            StepVerifier.create(onParallel(clients::guardedStream))
                    .expectNext("a", "b")
                    .expectError(WebClientResponseException.class)
                    .verify(TIMEOUT);
            assertThat(context.getBean(io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerCatalog.class)
                    .find("stream").orElseThrow().metrics().failedCalls()).isEqualTo(1);
        });
    }

    @Test
    void allThreeTogetherRetryInsideOneRateLimitedCall() {
        contextRunner.run(context -> {
            provider.script(Step.status(503), Step.ok());
            ReactiveClients clients = context.getBean(ReactiveClients.class);

            StepVerifier.create(onParallel(clients::everything)).expectNext("answer").verifyComplete();
            StepVerifier.create(onParallel(clients::everything)).expectNext("answer").verifyComplete();
            StepVerifier.create(onParallel(clients::everything)).expectError(RateLimitExceededException.class)
                    .verify(TIMEOUT);
            assertThat(provider.requests()).as("two calls, the first retried once").isEqualTo(3);
        });
    }

    @Test
    void theProvidersRequestsNestUnderEachAttemptUnderTheRateLimitUnderTheSubscribersObservation() {
        ObservationLog log = new ObservationLog();
        contextRunner.withBean(ObservationRegistry.class, log::registry).run(context -> {
            provider.script(Step.status(503), Step.ok());
            Observation caller = Observation.start("caller", context.getBean(ObservationRegistry.class));

            StepVerifier.create(onParallel(context.getBean(ReactiveClients.class)::everything)
                    .contextWrite(Context.of(CallContext.OBSERVATION, caller)))
                    .expectNext("answer").verifyComplete();
            caller.stop();

            assertThat(log.lines()).filteredOn(line -> line.startsWith("start"))
                    .map(line -> line.replaceAll(" \\S+=\\S+", ""))
                    .containsExactly("start caller", "start crossbridge.ratelimit in caller",
                            "start crossbridge.retry in crossbridge.ratelimit",
                            "start http.client.requests in crossbridge.retry",
                            "start http.client.requests in crossbridge.retry");
            assertThat(log.lines()).filteredOn(line -> line.startsWith("stop"))
                    .map(line -> line.replaceAll(" \\S+=\\S+", ""))
                    .as("each observation stopped once").containsExactlyInAnyOrder("stop caller",
                            "stop crossbridge.ratelimit", "stop crossbridge.retry", "stop http.client.requests",
                            "stop http.client.requests");
        });
    }

    /** Calls the method on one of Reactor's non-blocking threads, and subscribes there. */
    private static <T> Flux<T> onParallel(java.util.function.Supplier<? extends org.reactivestreams.Publisher<T>> call) {
        return Flux.defer(call).subscribeOn(Schedulers.parallel());
    }

    @Configuration(proxyBeanMethods = false)
    static class ReactiveClientsConfiguration {

        @Bean
        ReactiveClients reactiveClients(ObjectProvider<ObservationRegistry> observations) {
            return new ReactiveClients(WebClient.builder().baseUrl(provider.url())
                    .observationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP)).build());
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    static class ReactiveClients {

        private final WebClient client;

        ReactiveClients(WebClient client) {
            this.client = client;
        }

        @RetryWithBackoff(policy = "provider")
        public Mono<String> answer() {
            return client.get().uri("/answer").retrieve().bodyToMono(String.class);
        }

        @RetryWithBackoff(policy = "provider")
        public Flux<String> stream() {
            return client.get().uri("/stream").retrieve().bodyToFlux(String.class);
        }

        @RateLimited(limit = "provider", key = "'one key'")
        public Mono<String> limited() {
            return client.get().uri("/limited").retrieve().bodyToMono(String.class);
        }

        @CircuitBreaker(name = "provider", fallback = "fallback")
        public Mono<String> guarded() {
            return client.get().uri("/guarded").retrieve().bodyToMono(String.class);
        }

        /** Only for the provider's answers: a blocking call caught by BlockHound must not turn into "fallback". */
        Mono<String> fallback(WebClientResponseException failure) {
            return Mono.just("fallback");
        }

        @CircuitBreaker(name = "stream", fallback = "streamFallback")
        public Flux<String> guardedStream() {
            return client.get().uri("/guarded-stream").retrieve().bodyToFlux(String.class);
        }

        Flux<String> streamFallback(Throwable failure) {
            return Flux.just("fallback");
        }

        @RateLimited(limit = "provider", key = "'every annotation'")
        @CircuitBreaker(name = "everything")
        @RetryWithBackoff(policy = "provider")
        public Mono<String> everything() {
            return client.get().uri("/everything").retrieve().bodyToMono(String.class);
        }
    }
}
