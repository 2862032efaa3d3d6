package io.crossbridge.hardening.benchmarks.reactive;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.resilience.annotation.Retryable;

/**
 * A {@code Mono} that succeeds at once, called and subscribed to, per operation: bare, under
 * {@code @RetryWithBackoff} (a real Spring proxy), under Spring Framework 7's reactive
 * {@code @Retryable} (a real Spring proxy), and through Resilience4j's {@code RetryOperator}
 * (no proxy: the operator is applied to the bare method's {@code Mono}, as its users write it).
 * Each subscribes with the same lambda subscriber, whose cost is in every figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReactiveRetryBenchmark {

    private AnnotationConfigApplicationContext context;

    private Provider bare;

    private Retried ours;

    private SpringRetried spring;

    private RetryOperator<String> resilience4j;

    @Setup(Level.Trial)
    public void startContext() {
        context = new AnnotationConfigApplicationContext();
        context.register(RetryAutoConfiguration.class, Services.class);
        context.refresh();
        bare = context.getBean(Provider.class);
        ours = context.getBean(Retried.class);
        spring = context.getBean(SpringRetried.class);
        resilience4j = RetryOperator.of(Retry.of("bench", RetryConfig.custom().maxAttempts(3)
                .waitDuration(Duration.ofMillis(500)).build()));
    }

    @TearDown(Level.Trial)
    public void closeContext() {
        context.close();
    }

    @Benchmark
    public void bare(Blackhole blackhole) {
        bare.answer("user-1").subscribe(blackhole::consume);
    }

    @Benchmark
    public void retryWithBackoff(Blackhole blackhole) {
        ours.answer("user-1").subscribe(blackhole::consume);
    }

    @Benchmark
    public void springRetryable(Blackhole blackhole) {
        spring.answer("user-1").subscribe(blackhole::consume);
    }

    @Benchmark
    public void resilience4jRetryOperator(Blackhole blackhole) {
        bare.answer("user-1").transformDeferred(resilience4j).subscribe(blackhole::consume);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableResilientMethods
    public static class Services {

        @Bean
        Provider provider() {
            return new Provider();
        }

        @Bean
        Retried retried() {
            return new Retried();
        }

        @Bean
        SpringRetried springRetried() {
            return new SpringRetried();
        }
    }

    public static class Provider {

        public Mono<String> answer(String userId) {
            return Mono.just(userId);
        }
    }

    public static class Retried {

        @RetryWithBackoff
        public Mono<String> answer(String userId) {
            return Mono.just(userId);
        }
    }

    public static class SpringRetried {

        @Retryable(maxRetries = 2, delay = 500)
        public Mono<String> answer(String userId) {
            return Mono.just(userId);
        }
    }
}
