package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.ObservationLog;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.MissingRateLimitKeyException;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import io.micrometer.observation.ObservationRegistry;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.expression.spel.SpelEvaluationException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @RateLimited} through real Spring proxies, alone and with {@code @RetryWithBackoff}.
 */
class RateLimitedTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class, RetryAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.rate-limit.limits.tiny.capacity=2",
                    "crossbridge.hardening.rate-limit.limits.tiny.window=1h",
                    "crossbridge.hardening.rate-limit.limits.roomy.capacity=4",
                    "crossbridge.hardening.rate-limit.limits.roomy.window=1h",
                    "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
                    "crossbridge.hardening.retry.policies.fast.max-delay=0ms")
            .withUserConfiguration(FrozenClockConfiguration.class);

    @AfterEach
    void clearRequest() {
        RequestContextHolder.resetRequestAttributes();
    }

    @Test
    void eachKeyFromTheExpressionHasItsOwnBucket() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);

            assertThat(search.query("alice")).isEqualTo("results for alice");
            assertThat(search.query("alice")).isEqualTo("results for alice");
            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> search.query("alice"))
                    .satisfies(ex -> assertThat(ex.limit().name()).isEqualTo("tiny"));
            assertThat(search.query("bob")).isEqualTo("results for bob");
            assertThat(search.calls()).isEqualTo(3);
        });
    }

    @Test
    void keyExpressionReadsPropertiesAndPositions() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);
            RateLimiter limiter = context.getBean(RateLimiter.class);
            RateLimit tiny = context.getBean(RateLimitCatalog.class).get("tiny");

            search.forRequest(new SearchRequest("dave", "cats"));
            search.byPosition("erin", "dogs");

            assertThat(limiter.remaining("dave", tiny)).isEqualTo(1.0);
            assertThat(limiter.remaining("erin:dogs", tiny)).isEqualTo(1.0);
        });
    }

    @Test
    void tokensPerCallAreTakenAtOnce() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);

            search.expensive("alice");

            assertThat(context.getBean(RateLimiter.class).remaining("alice",
                    context.getBean(RateLimitCatalog.class).get("tiny"))).isZero();
        });
    }

    @Test
    void keyThatEvaluatesToNullIsNeverAllowed() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);

            assertThatExceptionOfType(MissingRateLimitKeyException.class).isThrownBy(() -> search.query(null));
            assertThat(search.calls()).isZero();
        });
    }

    @Test
    void withoutAnExpressionOrARequestThereIsNoKey() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);

            assertThatExceptionOfType(MissingRateLimitKeyException.class).isThrownBy(search::byCaller);
        });
    }

    @Test
    void withoutAnExpressionTheRequestDecides() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);
            MockHttpServletRequest request = new MockHttpServletRequest();
            request.setRemoteAddr("203.0.113.7");
            RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));

            search.byCaller();
            search.byCaller();

            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(search::byCaller)
                    .satisfies(ex -> assertThat(ex.key()).isEqualTo("ip:203.0.113.7"));
            request.setUserPrincipal(() -> "carol");
            assertThat(search.byCaller()).isEqualTo("ok");
        });
    }

    @Test
    void asyncMethodAnswersWithAFailedFuture() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);
            search.queryAsync("alice").get(10, TimeUnit.SECONDS);
            search.queryAsync("alice").get(10, TimeUnit.SECONDS);

            CompletableFuture<String> rejected = search.queryAsync("alice");

            assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> rejected.get(10, TimeUnit.SECONDS))
                    .withCauseInstanceOf(RateLimitExceededException.class);
        });
    }

    @Test
    void oneCallTakesOneTokenHoweverOftenItIsRetried() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);
            search.failNext(2);

            assertThat(search.flaky("alice")).isEqualTo("ok");
            assertThat(search.calls()).isEqualTo(3);
            assertThat(context.getBean(RateLimiter.class).remaining("alice",
                    context.getBean(RateLimitCatalog.class).get("tiny"))).isEqualTo(1.0);
        });
    }

    @Test
    void annotationOnTheClassOrOnAnInterfaceMethodApplies() {
        this.contextRunner.withUserConfiguration(InheritedConfiguration.class).run(context -> {
            Catalog catalog = context.getBean(Catalog.class);
            Lookup lookup = context.getBean(Lookup.class);
            catalog.list("alice");
            catalog.count("alice");
            lookup.find("bob");
            lookup.find("bob");

            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> catalog.list("alice"));
            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> lookup.find("bob"));
        });
    }

    @Test
    void limitExpressionChoosesTheTierPerCall() {
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run(context -> {
            Search search = context.getBean(Search.class);
            for (int i = 0; i < 2; i++) {
                search.byPlan("free-user", "free");
            }
            for (int i = 0; i < 4; i++) {
                search.byPlan("pro-user", "pro");
            }

            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> search.byPlan("free-user", "free"))
                    .satisfies(ex -> assertThat(ex.limit().name()).isEqualTo("tiny"));
            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> search.byPlan("pro-user", "pro"))
                    .satisfies(ex -> assertThat(ex.limit().name()).isEqualTo("roomy"));
            assertThatIllegalStateException().isThrownBy(() -> search.byPlan("gold-user", "gold")).withMessage(
                    "@RateLimited on Search.byPlan: limit expression #plan == 'pro' ? 'roomy' : (#plan == 'free' ? 'tiny' : #plan) "
                            + "chose 'gold', "
                            + "which is not a configured limit; configured: [search, embed, transform, health, tiny, roomy]");
        });
    }

    @Test
    void withTheOrdersSwappedEachAttemptTakesItsOwnToken() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.order=400")
                .withUserConfiguration(ServiceConfiguration.class).run(context -> {
                    Search search = context.getBean(Search.class);
                    search.failNext(1);

                    assertThat(search.flaky("alice")).isEqualTo("ok");
                    assertThat(search.calls()).isEqualTo(2);
                    assertThat(context.getBean(RateLimiter.class).remaining("alice",
                            context.getBean(RateLimitCatalog.class).get("tiny"))).isZero();
                });
    }

    @Test
    void orderOutsideItsRangeStopsStartup() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.order=-1").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause()
                .hasMessageContaining("Invalid value for 'crossbridge.hardening.rate-limit.order': -1. It must be from 0 to 1000"));
    }

    @Test
    void eachCallIsAnObservationNamingLimitAndOutcomeButNeverTheKey() {
        ObservationLog log = new ObservationLog();
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class)
                .withBean(ObservationRegistry.class, log::registry).run(context -> {
            Search search = context.getBean(Search.class);
            List<String> seen = log.lines();
            search.failNext(1);

            search.flaky("alice");
            search.query("alice");
            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(() -> search.query("alice"));

            assertThat(seen).containsExactly("start crossbridge.ratelimit limit=tiny name=Search.flaky",
                    "start crossbridge.retry in crossbridge.ratelimit name=Search.flaky policy=fast",
                    "event crossbridge.retry.attempt.failed", "stop crossbridge.retry name=Search.flaky policy=fast",
                    "stop crossbridge.ratelimit limit=tiny name=Search.flaky outcome=allowed",
                    "start crossbridge.ratelimit limit=tiny name=Search.query",
                    "stop crossbridge.ratelimit limit=tiny name=Search.query outcome=allowed",
                    "start crossbridge.ratelimit limit=tiny name=Search.query", "error RateLimitExceededException",
                    "stop crossbridge.ratelimit limit=tiny name=Search.query outcome=rejected");
            assertThat(seen).noneMatch(line -> line.contains("alice"));
        });
    }

    @Test
    void aKeyExpressionThatFailsEndsTheCallsObservationToo() {
        ObservationLog log = new ObservationLog();
        this.contextRunner.withUserConfiguration(ServiceConfiguration.class)
                .withBean(ObservationRegistry.class, log::registry).run(context -> {
            Search search = context.getBean(Search.class);

            assertThatExceptionOfType(SpelEvaluationException.class).isThrownBy(() -> search.forRequest(null));

            assertThat(log.lines()).containsExactly("start crossbridge.ratelimit limit=tiny name=Search.forRequest",
                    "error SpelEvaluationException",
                    "stop crossbridge.ratelimit limit=tiny name=Search.forRequest outcome=error");
        });
    }

    @Test
    void aKeyExpressionReadingAVariableThatIsNoArgumentStopsStartup() {
        this.contextRunner.withBean("misspelledKey", MisspelledKey.class).run(context -> assertThat(context).hasFailed()
                .getFailure().hasMessageContaining("Bean 'misspelledKey'")
                .hasMessageContaining(MisspelledKey.class.getName() + ".query()")
                .hasMessageContaining("has a key expression \"#usrId\" that reads #usrId, which is not one of its arguments")
                .hasMessageContaining("#a0, #p0, #userId"));
    }

    @Test
    void unknownLimitOnAPackagePrivateMethodStopsStartupToo() {
        this.contextRunner.withBean("unknownLimit", PackagePrivateUnknownLimit.class).run(context -> assertThat(context)
                .hasFailed().getFailure().hasMessageContaining("Bean 'unknownLimit'")
                .hasMessageContaining("names rate limit 'serch', which does not exist"));
    }

    @Test
    void anAnnotatedClassLimitsItsPublicMethodsButNotToStringEqualsOrHashCode() {
        this.contextRunner.withBean(WholeClass.class).run(context -> {
            WholeClass whole = context.getBean(WholeClass.class);
            // Spring's proxies answer equals and hashCode themselves; toString reaches the advice.
            for (int i = 0; i < 5; i++) {
                assertThat(whole.toString()).isEqualTo("whole");
                assertThat(whole.equals(whole)).isTrue();
                whole.hashCode();
            }
            whole.query();
            whole.query();
            assertThatExceptionOfType(RateLimitExceededException.class).isThrownBy(whole::query);
        });
    }

    @Test
    void unknownLimitStopsStartupNamingBeanMethodAndName() {
        this.contextRunner.withBean("unknownLimit", UnknownLimit.class).run(context -> assertThat(context)
                .hasFailed().getFailure().hasMessageContaining("Bean 'unknownLimit'")
                .hasMessageContaining(UnknownLimit.class.getName() + ".query()")
                .hasMessageContaining("names rate limit 'serch', which does not exist"));
    }

    @Test
    void keyExpressionThatDoesNotParseStopsStartup() {
        this.contextRunner.withBean("badKey", BadKey.class).run(context -> assertThat(context)
                .hasFailed().getFailure().hasMessageContaining("has a key expression that does not parse: \"#user.\""));
    }

    @Test
    void tokensAboveTheCapacityStopStartup() {
        this.contextRunner.withBean("tooManyTokens", TooManyTokens.class).run(context -> assertThat(context)
                .hasFailed().getFailure()
                .hasMessageContaining("takes 3 tokens; it must take from 1 to the capacity of rate limit 'tiny' (2)"));
    }

    @Test
    void disabledRateLimitingLeavesMethodsAlone() {
        this.contextRunner.withPropertyValues("crossbridge.hardening.rate-limit.enabled=false")
                .withUserConfiguration(ServiceConfiguration.class).run(context -> {
                    Search search = context.getBean(Search.class);
                    for (int i = 0; i < 5; i++) {
                        search.query("alice");
                    }
                    assertThat(search.calls()).isEqualTo(5);
                });
    }

    /** A limiter whose clock never moves, so that no bucket refills while a test runs. */
    @Configuration(proxyBeanMethods = false)
    static class FrozenClockConfiguration {

        @Bean
        RateLimiter rateLimiter() {
            return InMemoryRateLimiter.builder().ticker(() -> 0L).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceConfiguration {

        @Bean
        Search search() {
            return new Search();
        }
    }

    static class Search {

        private final AtomicInteger calls = new AtomicInteger();

        private final AtomicInteger failuresLeft = new AtomicInteger();

        @RateLimited(limit = "tiny", key = "#userId")
        public String query(String userId) {
            calls.incrementAndGet();
            return "results for " + userId;
        }

        @RateLimited(limit = "tiny", key = "#userId", tokens = 2)
        public String expensive(String userId) {
            return "expensive results";
        }

        @RateLimited(limit = "tiny", key = "#request.userId")
        public String forRequest(SearchRequest request) {
            return "results";
        }

        @RateLimited(limit = "tiny", key = "#p0 + ':' + #a1")
        public String byPosition(String userId, String query) {
            return "results";
        }

        @RateLimited(limit = "#plan == 'pro' ? 'roomy' : (#plan == 'free' ? 'tiny' : #plan)", key = "#userId")
        public String byPlan(String userId, String plan) {
            return "ok";
        }

        @RateLimited(limit = "tiny")
        public String byCaller() {
            return "ok";
        }

        @RateLimited(limit = "tiny", key = "#userId")
        public CompletableFuture<String> queryAsync(String userId) {
            return CompletableFuture.completedFuture("results for " + userId);
        }

        @RateLimited(limit = "tiny", key = "#userId")
        @RetryWithBackoff(policy = "fast")
        public String flaky(String userId) throws IOException {
            calls.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("flaky");
            }
            return "ok";
        }

        public void failNext(int failures) {
            failuresLeft.set(failures);
        }

        public int calls() {
            return calls.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InheritedConfiguration {

        @Bean
        Catalog catalog() {
            return new Catalog();
        }

        @Bean
        Lookup lookup() {
            return new DirectoryLookup();
        }
    }

    /** Every public method takes a token from the same key's bucket. */
    @RateLimited(limit = "tiny", key = "#userId")
    static class Catalog {

        public String list(String userId) {
            return "list";
        }

        public int count(String userId) {
            return 1;
        }
    }

    interface Lookup {

        @RateLimited(limit = "tiny", key = "#p0")
        String find(String userId);
    }

    static class DirectoryLookup implements Lookup {

        @Override
        public String find(String userId) {
            return "found";
        }
    }

    static class MisspelledKey {

        @RateLimited(limit = "tiny", key = "#usrId")
        public String query(String userId) {
            return "results";
        }
    }

    record SearchRequest(String userId, String query) {
    }

    static class PackagePrivateUnknownLimit {

        @RateLimited(limit = "serch", key = "'x'")
        String query() {
            return "never";
        }
    }

    @RateLimited(limit = "tiny", key = "'whole'")
    static class WholeClass {

        public String query() {
            return "ok";
        }

        @Override
        public String toString() {
            return "whole";
        }

        @Override
        public boolean equals(Object other) {
            return other == this;
        }

        @Override
        public int hashCode() {
            return 42;
        }
    }

    static class UnknownLimit {

        @RateLimited(limit = "serch", key = "'x'")
        public String query() {
            return "never";
        }
    }

    static class BadKey {

        @RateLimited(limit = "tiny", key = "#user.")
        public String query(String user) {
            return "never";
        }
    }

    static class TooManyTokens {

        @RateLimited(limit = "tiny", key = "'x'", tokens = 3)
        public String query() {
            return "never";
        }
    }
}
