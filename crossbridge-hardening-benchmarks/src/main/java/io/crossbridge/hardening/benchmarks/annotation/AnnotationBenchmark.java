package io.crossbridge.hardening.benchmarks.annotation;

import io.crossbridge.hardening.annotation.ConcurrencyLimited;
import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.concurrency.ConcurrencyLimitAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimiterAutoConfiguration;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
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
import org.springframework.aop.framework.AbstractAdvisingBeanPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.resilience.annotation.ConcurrencyLimit;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.resilience.annotation.Retryable;

/**
 * The cost of the annotations on a method that succeeds the first time, through real Spring
 * proxies: both annotations against the bare method, and {@code @RetryWithBackoff} alone against
 * Spring Framework 7's {@code @Retryable}, and {@code @ConcurrencyLimited} against its
 * {@code @ConcurrencyLimit}, both on a limit of 64 no single-threaded run fills. The rate limit
 * has a capacity no run exhausts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AnnotationBenchmark {

    private AnnotationConfigApplicationContext context;

    private Provider bare;

    private PassedThrough passedThrough;

    private BothAnnotated both;

    private BothConstantKey bothConstantKey;

    private RetryOnly retryOnly;

    private SpringRetryable springRetryable;

    private Limited limited;

    private SpringLimited springLimited;

    @Setup(Level.Trial)
    public void startContext() {
        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("benchmark",
                Map.of("crossbridge.hardening.rate-limit.limits.bench.capacity", "1000000000000",
                        "crossbridge.hardening.rate-limit.limits.bench.window", "1000s",
                        "crossbridge.hardening.concurrency.limits.bench.max-concurrent", "64")));
        context.register(RateLimiterAutoConfiguration.class, RetryAutoConfiguration.class,
                ConcurrencyLimitAutoConfiguration.class, Services.class);
        context.refresh();
        bare = context.getBean(Provider.class);
        passedThrough = context.getBean(PassedThrough.class);
        both = context.getBean(BothAnnotated.class);
        bothConstantKey = context.getBean(BothConstantKey.class);
        retryOnly = context.getBean(RetryOnly.class);
        springRetryable = context.getBean(SpringRetryable.class);
        limited = context.getBean(Limited.class);
        springLimited = context.getBean(SpringLimited.class);
    }

    @TearDown(Level.Trial)
    public void closeContext() {
        context.close();
    }

    @Benchmark
    public String bare() {
        return bare.complete("user-1");
    }

    /** A proxy whose one advice only proceeds: what any advised call costs before its advice. */
    @Benchmark
    public String proxied() {
        return passedThrough.complete("user-1");
    }

    @Benchmark
    public String rateLimitedConstantKeyAndRetried() {
        return bothConstantKey.complete("user-1");
    }

    @Benchmark
    public String rateLimitedAndRetried() {
        return both.complete("user-1");
    }

    @Benchmark
    public String retryWithBackoff() {
        return retryOnly.complete("user-1");
    }

    @Benchmark
    public String springRetryable() {
        return springRetryable.complete("user-1");
    }

    @Benchmark
    public String concurrencyLimited() {
        return limited.complete("user-1");
    }

    @Benchmark
    public String springConcurrencyLimit() {
        return springLimited.complete("user-1");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableResilientMethods
    public static class Services {

        @Bean
        Provider provider() {
            return new Provider();
        }

        @Bean
        static AbstractAdvisingBeanPostProcessor passThroughProxies() {
            return new AbstractAdvisingBeanPostProcessor() {
                {
                    this.advisor = new DefaultPointcutAdvisor(AnnotationMatchingPointcut.forMethodAnnotation(PassThrough.class),
                            (MethodInterceptor) MethodInvocation::proceed);
                }
            };
        }

        @Bean
        PassedThrough passedThrough() {
            return new PassedThrough();
        }

        @Bean
        BothConstantKey bothConstantKey() {
            return new BothConstantKey();
        }

        @Bean
        BothAnnotated bothAnnotated() {
            return new BothAnnotated();
        }

        @Bean
        RetryOnly retryOnly() {
            return new RetryOnly();
        }

        @Bean
        SpringRetryable springRetryable() {
            return new SpringRetryable();
        }

        @Bean
        Limited limited() {
            return new Limited();
        }

        @Bean
        SpringLimited springLimited() {
            return new SpringLimited();
        }
    }

    public static class Provider {

        public String complete(String userId) {
            return userId;
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    public @interface PassThrough {
    }

    public static class PassedThrough {

        @PassThrough
        public String complete(String userId) {
            return userId;
        }
    }

    public static class BothConstantKey {

        @RateLimited(limit = "bench", key = "'k'")
        @RetryWithBackoff
        public String complete(String userId) {
            return userId;
        }
    }

    public static class BothAnnotated {

        @RateLimited(limit = "bench", key = "#userId")
        @RetryWithBackoff
        public String complete(String userId) {
            return userId;
        }
    }

    public static class RetryOnly {

        @RetryWithBackoff
        public String complete(String userId) {
            return userId;
        }
    }

    public static class SpringRetryable {

        @Retryable(maxRetries = 2, delay = 500)
        public String complete(String userId) {
            return userId;
        }
    }

    public static class Limited {

        @ConcurrencyLimited(name = "bench")
        public String complete(String userId) {
            return userId;
        }
    }

    public static class SpringLimited {

        @ConcurrencyLimit(limit = 64, policy = ConcurrencyLimit.ThrottlePolicy.REJECT)
        public String complete(String userId) {
            return userId;
        }
    }
}
