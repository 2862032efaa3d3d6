package io.crossbridge.hardening.autoconfigure.ratelimit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitKeysTests {

    @Test
    void eachSourceHasANamespaceTheOthersCannotReach() {
        assertThat(RateLimitKeys.principal("alice")).isEqualTo("principal:alice");
        assertThat(RateLimitKeys.ip("203.0.113.7")).isEqualTo("ip:203.0.113.7");
        String apiKey = RateLimitKeys.headerPrefix("X-API-Key");
        assertThat(RateLimitKeys.header(apiKey, "abc")).isEqualTo("header:x-api-key:abc");
        assertThat(RateLimitKeys.header(apiKey, " ")).isNull();

        assertThat(RateLimitKeys.expression("alice")).as("an application's own keys stay as they are").isEqualTo("alice");
        assertThat(RateLimitKeys.expression("principal:alice")).isEqualTo("key:principal:alice");
        assertThat(RateLimitKeys.expression("ip:203.0.113.7")).isEqualTo("key:ip:203.0.113.7");
        assertThat(RateLimitKeys.expression("header:x-api-key:abc")).isEqualTo("key:header:x-api-key:abc");
        assertThat(RateLimitKeys.expression("key:principal:alice")).as("so that no two values meet")
                .isEqualTo("key:key:principal:alice");
    }
}
