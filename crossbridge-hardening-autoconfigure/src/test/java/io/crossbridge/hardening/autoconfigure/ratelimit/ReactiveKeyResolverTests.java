package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.annotation.RateLimited;
import io.crossbridge.hardening.autoconfigure.BlockHoundInstalled;
import io.crossbridge.hardening.autoconfigure.call.CallContext;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimitExceededException;
import io.crossbridge.hardening.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An application's own {@link RateLimitKeyResolver} decides the key of a reactive
 * {@code @RateLimited} method with no key from the subscriber's Reactor context, as the README
 * says: here a tenant the caller put there. The limiter's clock is frozen, so no bucket refills.
 */
@ExtendWith(BlockHoundInstalled.class)
class ReactiveKeyResolverTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.rate-limit.limits.tenant.capacity=2",
                    "crossbridge.hardening.rate-limit.limits.tenant.window=1h")
            .withBean(RateLimiter.class, () -> InMemoryRateLimiter.builder().ticker(() -> 0L).build())
            .withBean(RateLimitKeyResolver.class, TenantFromContext::new)
            .withBean(PerTenant.class);

    @Test
    void theApplicationsResolverReadsTheKeyFromTheSubscribersContext() {
        contextRunner.run(context -> {
            PerTenant perTenant = context.getBean(PerTenant.class);

            for (int i = 0; i < 2; i++) {
                StepVerifier.create(asTenant(perTenant.call(), "acme")).expectNext("answer").verifyComplete();
            }
            StepVerifier.create(asTenant(perTenant.call(), "acme")).expectError(RateLimitExceededException.class)
                    .verify(Duration.ofSeconds(5));
            StepVerifier.create(asTenant(perTenant.call(), "globex")).expectNext("answer").verifyComplete();
        });
    }

    /** Subscribed on one of Reactor's non-blocking threads, with the tenant in the context. */
    private static Mono<String> asTenant(Mono<String> call, String tenant) {
        return call.subscribeOn(Schedulers.parallel()).contextWrite(Context.of("tenant", tenant));
    }

    static class TenantFromContext implements RateLimitKeyResolver {

        @Override
        public String resolveKey(Method method, Object[] arguments) {
            return null;
        }

        @Override
        public CompletionStage<String> resolveKeyWithoutBlocking(Method method, Object[] arguments, CallContext context) {
            Object tenant = context.get("tenant");
            return CompletableFuture.completedFuture(tenant == null ? null : "tenant:" + tenant);
        }
    }

    static class PerTenant {

        @RateLimited(limit = "tenant")
        public Mono<String> call() {
            return Mono.just("answer");
        }
    }
}
