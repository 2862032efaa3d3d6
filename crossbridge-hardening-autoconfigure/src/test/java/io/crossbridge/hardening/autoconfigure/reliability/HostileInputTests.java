package io.crossbridge.hardening.autoconfigure.reliability;

import io.crossbridge.hardening.autoconfigure.ratelimit.RateLimitProperties.OnFailure;
import io.crossbridge.hardening.autoconfigure.ratelimit.redis.RedisTestSupport;
import io.crossbridge.hardening.ratelimit.InMemoryRateLimiter;
import io.crossbridge.hardening.ratelimit.RateLimit;
import io.crossbridge.hardening.ratelimit.RateLimiter;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * Random keys (empty, blank, huge, control characters, any Unicode, Redis syntax), random token
 * counts and random limit settings, against both stores: every call either decides or throws the
 * documented {@link IllegalArgumentException} (of which {@code MissingRateLimitKeyException} is
 * one), never anything else.
 */
@Tag("reliability")
class HostileInputTests {

    private static final String[] REDIS_SYNTAX = { "*", "?", "[a-z]", "{", "}", "{x}", ":", "\r\n", "\0", "EVAL",
            "return redis.call('FLUSHALL')", "%", "#", "\\", "\"" };

    @Test
    void inMemoryDecidesOrRefusesEveryHostileCall() {
        InMemoryRateLimiter limiter = new InMemoryRateLimiter();
        qt().withExamples(20_000).forAll(keys(), integers().between(-5, 200), longs().between(-3, 1_000_000),
                longs().between(-3, 10_000_000_000L)).checkAssert((key, tokens, capacity, windowMillis) ->
                        assertDecidesOrRefuses(limiter, key, tokens, capacity, windowMillis));
    }

    @Test
    void redisDecidesOrRefusesEveryHostileCall() {
        LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
        RateLimiter limiter = RedisTestSupport.limiter(factory, "hostile-" + UUID.randomUUID(), Duration.ofSeconds(2),
                OnFailure.DENY);
        try {
            qt().withExamples(2_000).forAll(keys(), integers().between(-5, 200), longs().between(-3, 1_000_000),
                    longs().between(-3, 10_000_000_000L)).checkAssert((key, tokens, capacity, windowMillis) ->
                            assertDecidesOrRefuses(limiter, key, tokens, capacity, windowMillis));
        }
        finally {
            limiter.resetAll();
            factory.destroy();
        }
    }

    private static void assertDecidesOrRefuses(RateLimiter limiter, String key, int tokens, long capacity,
            long windowMillis) {
        try {
            RateLimit limit = RateLimit.of("hostile-" + (capacity % 7), capacity, Duration.ofMillis(windowMillis));
            limiter.acquire(key, limit, tokens);
        }
        catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private static Gen<String> keys() {
        Gen<String> anyUnicode = strings().allPossible().ofLengthBetween(0, 40);
        Gen<String> control = strings().betweenCodePoints(0, 31).ofLengthBetween(0, 10);
        Gen<String> huge = integers().between(1_000, 70_000).map(length -> "k".repeat(length));
        Gen<String> redisSyntax = integers().between(0, REDIS_SYNTAX.length - 1).map(i -> "user" + REDIS_SYNTAX[i]);
        Gen<String> blank = integers().between(0, 3).map(" "::repeat);
        return anyUnicode.mix(control, 30).mix(huge, 10).mix(redisSyntax, 30).mix(blank, 10);
    }
}
