package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.ObservationLog;
import io.crossbridge.hardening.failure.AuthenticationException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.AbstractAdvisingBeanPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.aop.support.RootClassFilter;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @RetryWithBackoff} through real Spring proxies. The "fast" policy waits zero, so no test
 * waits for time to pass.
 */
class RetryWithBackoffTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.policies.fast.max-attempts=3",
                    "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
                    "crossbridge.hardening.retry.policies.fast.max-delay=0ms");

    @Test
    void transientFailuresAreRetriedUntilASuccess() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.failNext(2);

            assertThat(provider.complete("hi")).isEqualTo("answer to hi");
            assertThat(provider.calls()).isEqualTo(3);
        });
    }

    @Test
    void exhaustionRethrowsTheLastFailureUnchangedWithEarlierOnesSuppressed() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.failNext(10);

            assertThatExceptionOfType(IOException.class).isThrownBy(() -> provider.complete("hi"))
                    .withMessage("failure 3").satisfies(ex -> assertThat(ex.getSuppressed()).hasSize(2));
            assertThat(provider.calls()).isEqualTo(3);
        });
    }

    @Test
    void permanentFailureIsRethrownAfterOneAttempt() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Provider provider = context.getBean(Provider.class);

            assertThatThrownBy(provider::authenticate).isInstanceOf(AuthenticationException.class);
            assertThat(provider.calls()).isEqualTo(1);
        });
    }

    @Test
    void inlineAttributesOverrideTheNamedPolicy() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.failNext(10);

            assertThatExceptionOfType(IOException.class).isThrownBy(provider::twoAttempts);
            assertThat(provider.calls()).isEqualTo(2);
        });
    }

    @Test
    void asyncMethodIsRetriedAndItsFutureFailsWithTheLastFailure() throws Exception {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Provider provider = context.getBean(Provider.class);
            provider.failNext(2);
            assertThat(provider.completeAsync("hi").get(10, TimeUnit.SECONDS)).isEqualTo("answer to hi");
            assertThat(provider.calls()).isEqualTo(3);

            provider.failNext(10);
            assertThatExceptionOfType(ExecutionException.class)
                    .isThrownBy(() -> provider.completeAsync("hi").get(10, TimeUnit.SECONDS))
                    .withCauseInstanceOf(IOException.class);
        });
    }

    @Test
    void classLevelAnnotationRetriesEveryPublicMethod() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            WholeClassProvider provider = context.getBean(WholeClassProvider.class);
            provider.failNext(2);

            assertThat(provider.embed()).isEqualTo("vector");
        });
    }

    @Test
    void annotationOnAnInterfaceMethodApplies() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            FlakyEmbedder embedder = context.getBean(FlakyEmbedder.class);
            embedder.failNext(2);

            assertThat(embedder.embed()).isEqualTo("vector");
        });
    }

    @Test
    void unknownPolicyStopsStartupNamingBeanMethodAndName() {
        this.contextRunner.withBean("typoProvider", TypoProvider.class).run(context -> assertThat(context).hasFailed()
                .getFailure().hasMessageContaining("Bean 'typoProvider'")
                .hasMessageContaining(TypoProvider.class.getName() + ".complete()")
                .hasMessageContaining("names retry policy 'fsat', which does not exist"));
    }

    @Test
    void badInlineDurationStopsStartup() {
        this.contextRunner.withBean("badDurationProvider", BadDurationProvider.class).run(context -> assertThat(context)
                .hasFailed().getFailure()
                .hasMessageContaining("has a bad setting: baseDelay must be a duration such as \"500ms\" or \"PT5S\", was \"soon\""));
    }

    @Test
    void disabledRetriesLeaveMethodsAlone() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.retry.enabled=false")
                .withUserConfiguration(ServiceConfiguration.class).run(context -> {
                    Provider provider = context.getBean(Provider.class);
                    provider.failNext(1);

                    assertThatExceptionOfType(IOException.class).isThrownBy(() -> provider.complete("hi"));
                    assertThat(provider.calls()).isEqualTo(1);
                });
    }

    @Test
    void callsAndAttemptsAreCountedPerMethodAndOutcome() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class, MetricsConfiguration.class).run(context -> {
            Provider provider = context.getBean(Provider.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            provider.complete("first time");
            provider.failNext(2);
            provider.complete("after two failures");
            provider.failNext(10);
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> provider.complete("never"));
            assertThatThrownBy(provider::authenticate).isInstanceOf(AuthenticationException.class);

            assertThat(calls(registry, "Provider.complete", "success_without_retry")).isEqualTo(1);
            assertThat(calls(registry, "Provider.complete", "success_with_retry")).isEqualTo(1);
            assertThat(calls(registry, "Provider.complete", "failed_with_retry")).isEqualTo(1);
            assertThat(calls(registry, "Provider.authenticate", "failed_without_retry")).isEqualTo(1);
            assertThat(registry.get("crossbridge.retry.attempts").tag("name", "Provider.complete").counter().count())
                    .isEqualTo(1 + 3 + 3);
        });
    }

    @Test
    void eachCallIsAnObservationWithAnEventPerFailedAttempt() {
        ObservationLog log = new ObservationLog();
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class)
                .withBean(ObservationRegistry.class, log::registry).run(context -> {
            Provider provider = context.getBean(Provider.class);
            List<String> seen = log.lines();
            provider.failNext(2);
            provider.complete("after two failures");
            provider.failNext(10);
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> provider.complete("never"));

            assertThat(seen).containsExactly("start crossbridge.retry name=Provider.complete policy=fast",
                    "event crossbridge.retry.attempt.failed", "event crossbridge.retry.attempt.failed",
                    "stop crossbridge.retry name=Provider.complete policy=fast",
                    "start crossbridge.retry name=Provider.complete policy=fast",
                    "event crossbridge.retry.attempt.failed", "event crossbridge.retry.attempt.failed",
                    "error IOException", "stop crossbridge.retry name=Provider.complete policy=fast");
        });
    }

    @Test
    void eachAttemptRunsTheAdviceInsideTheRetryAgainWithTheArgumentsTheRetryReceived() {
        // The advice changes the argument array in place, which AOP Alliance allows.
        this.contextRunner.withUserConfiguration(InnerAdviceConfiguration.class).run(context -> {
            Echo echo = context.getBean(Echo.class);
            Renaming renaming = context.getBean(Renaming.class);
            echo.failNext(2);

            assertThat(echo.echo("original")).isEqualTo("renamed original");
            assertThat(renaming.seen).containsExactly("original", "original", "original");
            assertThat(echo.received()).containsExactly("renamed original", "renamed original", "renamed original");
        });
    }

    private static double calls(MeterRegistry registry, String name, String outcome) {
        return registry.get("crossbridge.retry.calls").tag("name", name).tag("policy", "fast").tag("outcome", outcome)
                .counter().count();
    }

    @Configuration(proxyBeanMethods = false)
    static class MetricsConfiguration {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceConfiguration {

        @Bean
        Provider provider() {
            return new Provider();
        }

        @Bean
        WholeClassProvider wholeClassProvider() {
            return new WholeClassProvider();
        }

        @Bean
        FlakyEmbedder flakyEmbedder() {
            return new FlakyEmbedder();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InnerAdviceConfiguration {

        @Bean
        static Renaming renaming() {
            return new Renaming();
        }

        /** An application's own advice, which lands inside the retry's and replaces the argument. */
        @Bean
        static AbstractAdvisingBeanPostProcessor renamingAdvice(Renaming renaming) {
            return new AbstractAdvisingBeanPostProcessor() {
                {
                    NameMatchMethodPointcut echoes = new NameMatchMethodPointcut();
                    echoes.setMappedName("echo");
                    echoes.setClassFilter(new RootClassFilter(Echo.class));
                    this.advisor = new DefaultPointcutAdvisor(echoes, renaming);
                }
            };
        }

        @Bean
        Echo echo() {
            return new Echo();
        }
    }

    static class Renaming implements MethodInterceptor {

        final List<Object> seen = new CopyOnWriteArrayList<>();

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            seen.add(invocation.getArguments()[0]);
            invocation.getArguments()[0] = "renamed " + invocation.getArguments()[0];
            return invocation.proceed();
        }
    }

    static class Echo {

        private final List<String> received = new CopyOnWriteArrayList<>();

        private final AtomicInteger failuresLeft = new AtomicInteger();

        @RetryWithBackoff(policy = "fast")
        public String echo(String text) throws IOException {
            received.add(text);
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("flaky");
            }
            return text;
        }

        public void failNext(int failures) {
            failuresLeft.set(failures);
        }

        public List<String> received() {
            return received;
        }
    }

    interface Embedder {

        @RetryWithBackoff(policy = "fast")
        String embed() throws IOException;
    }

    static class FlakyEmbedder implements Embedder {

        private final AtomicInteger failuresLeft = new AtomicInteger();

        public void failNext(int failures) {
            failuresLeft.set(failures);
        }

        @Override
        public String embed() throws IOException {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("flaky");
            }
            return "vector";
        }
    }

    static class Provider {

        final AtomicInteger calls = new AtomicInteger();

        final AtomicInteger failuresLeft = new AtomicInteger();

        @RetryWithBackoff(policy = "fast")
        public String complete(String prompt) throws IOException {
            failIfAsked();
            return "answer to " + prompt;
        }

        @RetryWithBackoff(policy = "fast")
        public CompletableFuture<String> completeAsync(String prompt) {
            try {
                failIfAsked();
                return CompletableFuture.completedFuture("answer to " + prompt);
            }
            catch (IOException ex) {
                return CompletableFuture.failedFuture(ex);
            }
        }

        @RetryWithBackoff(policy = "fast")
        public String authenticate() {
            calls.incrementAndGet();
            throw new AuthenticationException("bad key");
        }

        @RetryWithBackoff(policy = "fast", maxAttempts = 2)
        public String twoAttempts() throws IOException {
            failIfAsked();
            return "ok";
        }

        public void failNext(int failures) {
            failuresLeft.set(failures);
        }

        public int calls() {
            return calls.get();
        }

        void failIfAsked() throws IOException {
            int call = calls.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("failure " + call);
            }
        }
    }

    @RetryWithBackoff(policy = "fast")
    static class WholeClassProvider {

        final AtomicInteger failuresLeft = new AtomicInteger();

        public void failNext(int failures) {
            failuresLeft.set(failures);
        }

        public String embed() throws IOException {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("flaky");
            }
            return "vector";
        }
    }

    static class TypoProvider {

        @RetryWithBackoff(policy = "fsat")
        public String complete() {
            return "never";
        }
    }

    static class BadDurationProvider {

        @RetryWithBackoff(baseDelay = "soon")
        public String complete() {
            return "never";
        }
    }
}
