package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.annotation.CircuitBreaker;
import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;
import io.crossbridge.hardening.autoconfigure.circuitbreaker.CircuitBreakerAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.concurrency.ConcurrencyLimitAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.concurrency.ConcurrencyLimitCatalog;
import io.crossbridge.hardening.autoconfigure.failure.ScriptedProvider.Step;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.concurrency.ConcurrencyLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A retry policy's {@code timeout} against a real provider on a loopback port that never answers
 * its first request, through a real {@code WebClient}: the attempt is cancelled, retried, and
 * counted as an overload by the adaptive concurrency limit inside the retry, whose place it gives
 * back. A blocking method cannot be bounded this way, which startup says.
 */
@ExtendWith({ BlockHoundInstalled.class, OutputCaptureExtension.class })
class AttemptTimeoutTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ScriptedProvider provider = new ScriptedProvider();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class,
                    RetryAutoConfiguration.class, ConcurrencyLimitAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.policies.timed.max-attempts=3",
                    "crossbridge.hardening.retry.policies.timed.base-delay=1ms",
                    "crossbridge.hardening.retry.policies.timed.jitter=none",
                    "crossbridge.hardening.retry.policies.timed.timeout=300ms",
                    "crossbridge.hardening.concurrency.limits.capacity.adaptive=true",
                    "crossbridge.hardening.concurrency.limits.capacity.algorithm=aimd",
                    "crossbridge.hardening.concurrency.limits.capacity.max-concurrent=10",
                    "crossbridge.hardening.concurrency.limits.capacity.slow-call-duration=10s")
            .withUserConfiguration(ClientsConfiguration.class);

    @Test
    void aMonoWhoseFirstRequestNeverAnswersIsCancelledByItsTimeoutAndRetried() {
        contextRunner.run(context -> {
            provider.script(Step.neverAnswer(), Step.ok());

            StepVerifier.create(Flux.defer(() -> context.getBean(Clients.class).answer()).subscribeOn(Schedulers.parallel()))
                    .expectNext("answer")
                    .verifyComplete();
            assertThat(provider.requests()).isEqualTo(2);
            assertTimeoutCountedAsOverload(context);
        });
    }

    @Test
    void aFutureWhoseFirstRequestNeverAnswersIsCancelledByItsTimeoutAndRetried() {
        contextRunner.run(context -> {
            provider.script(Step.neverAnswer(), Step.ok());

            CompletableFuture<String> answer = context.getBean(Clients.class).future();

            assertThat(answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("answer");
            assertThat(provider.requests()).isEqualTo(2);
            assertTimeoutCountedAsOverload(context);
        });
    }

    /**
     * A breaker moved inside the retry, between it and the limit: the timeout still reaches the
     * limit as a timeout, through the breaker's future.
     */
    @Test
    void aTimeoutReachesALimitThroughAnotherAdviceInsideTheRetry() {
        contextRunner.withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.circuit-breaker.order=350").run(context -> {
                    provider.script(Step.neverAnswer(), Step.ok());

                    CompletableFuture<String> answer = context.getBean(Clients.class).breakerInside();

                    assertThat(answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("answer");
                    assertThat(provider.requests()).isEqualTo(2);
                    assertTimeoutCountedAsOverload(context);
                });
    }

    @Test
    void aReactorFutureWithNoAdviceInsideTheRetryIsCancelledByItsTimeout() throws Exception {
        contextRunner.run(context -> {
            Clients clients = context.getBean(Clients.class);

            assertThat(clients.neverFirst().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("second");
            assertThat(clients.cancels()).as("the first attempt's subscription cancelled by its timeout").isEqualTo(1);
        });
    }

    /**
     * A call retrying when the application closes ends all the same, with the provider's 503:
     * whether its 503 came before the close (its backoff runs out, and no retry starts) or after
     * it (no backoff starts). Never left pending. The backoff is longer than any close takes, and
     * the timeout longer than any 503, so that neither race decides the outcome.
     */
    @Test
    void aRetryUnderWayWhenTheApplicationClosesEndsWithItsLastFailure() {
        AtomicReference<CompletableFuture<String>> call = new AtomicReference<>();
        contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.timed.base-delay=2s",
                "crossbridge.hardening.retry.policies.timed.timeout=8s").run(context -> {
            provider.script(Step.status(503), Step.ok());
            call.set(context.getBean(Clients.class).future());
        });

        assertThatThrownBy(() -> call.get().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
        assertThat(provider.requests()).isEqualTo(1);
    }

    /** The timed-out attempt gave its place back, and the adaptive limit cut by AIMD's 0.9 for it. */
    private static void assertTimeoutCountedAsOverload(ApplicationContext context) {
        ConcurrencyLimiter limiter = context.getBean(ConcurrencyLimitCatalog.class).find("capacity").orElseThrow().limiter();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.limit()).isEqualTo(9);
        assertThat(context.getBean(MeterRegistry.class).find("crossbridge.retry.calls").counters())
                .filteredOn(counter -> counter.count() > 0)
                .singleElement().satisfies(counter -> assertThat(counter.getId().getTag("outcome"))
                        .isEqualTo("success_with_retry"));
    }

    @Test
    void aTimeoutSetOnABlockingMethodStopsStartupNamingTheMethod() {
        contextRunner.withUserConfiguration(InlineTimeoutConfiguration.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("InlineTimeoutClient.call()")
                    .hasMessageContaining("sets timeout \"2s\", which only bounds a method returning a "
                            + "CompletionStage or a reactive type");
        });
    }

    @Test
    void aBlockingMethodUnderAPolicyWithATimeoutStartsWithAWarningThatItIsNotBounded(CapturedOutput output) {
        contextRunner.withUserConfiguration(BlockingConfiguration.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output).contains("BlockingClient.policyTimeout() is blocking: retry policy 'timed' has a "
                    + "timeout of PT0.3S, which does not bound its attempts; its client's own timeouts must");
        });
    }

    @Test
    void aBadTimeoutStopsStartupNamingTheProperty() {
        contextRunner.withPropertyValues("crossbridge.hardening.retry.policies.timed.timeout=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidPropertyException.class)
                    .hasMessageContaining("crossbridge.hardening.retry.policies.timed.timeout")
                    .hasMessageContaining("must be positive");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ClientsConfiguration {

        @Bean
        Clients clients() {
            return new Clients(WebClient.create(provider.url()));
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InlineTimeoutConfiguration {

        @Bean
        InlineTimeoutClient inlineTimeoutClient() {
            return new InlineTimeoutClient(RestClient.create(provider.url()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BlockingConfiguration {

        @Bean
        BlockingClient blockingClient() {
            return new BlockingClient(RestClient.create(provider.url()));
        }
    }

    static class Clients {

        private final WebClient client;

        private final AtomicInteger attempts = new AtomicInteger();

        private final AtomicInteger cancels = new AtomicInteger();

        Clients(WebClient client) {
            this.client = client;
        }

        @RetryWithBackoff(policy = "timed")
        @ConcurrencyLimited(name = "capacity")
        public Mono<String> answer() {
            return client.get().uri("/answer").retrieve().bodyToMono(String.class);
        }

        /** A first attempt that never answers, as Reactor's own future; the second answers at once. */
        @RetryWithBackoff(policy = "timed")
        public CompletableFuture<String> neverFirst() {
            if (attempts.incrementAndGet() == 1) {
                return Mono.<String>never().doOnCancel(cancels::incrementAndGet).toFuture();
            }
            return CompletableFuture.completedFuture("second");
        }

        int cancels() {
            return cancels.get();
        }

        @RetryWithBackoff(policy = "timed")
        @ConcurrencyLimited(name = "capacity")
        public CompletableFuture<String> future() {
            return client.get().uri("/future").retrieve().bodyToMono(String.class).toFuture();
        }

        @RetryWithBackoff(policy = "timed")
        @CircuitBreaker
        @ConcurrencyLimited(name = "capacity")
        public CompletableFuture<String> breakerInside() {
            return client.get().uri("/breaker-inside").retrieve().bodyToMono(String.class).toFuture();
        }
    }

    static class BlockingClient {

        private final RestClient client;

        BlockingClient(RestClient client) {
            this.client = client;
        }

        @RetryWithBackoff(policy = "timed")
        public String policyTimeout() {
            return client.get().uri("/blocking").retrieve().body(String.class);
        }
    }

    static class InlineTimeoutClient {

        private final RestClient client;

        InlineTimeoutClient(RestClient client) {
            this.client = client;
        }

        @RetryWithBackoff(policy = "timed", timeout = "2s")
        public String call() {
            return client.get().uri("/blocking").retrieve().body(String.class);
        }
    }
}
