package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisKeysTests {

    private final RedisKeys keys = new RedisKeys("crossbridge:rl");

    @Test
    void theBytesRedisGetsAreTheKeysEncodingWhateverTheKeyHolds() {
        String[] limits = { "search", "per-user.v2", "odd:limit name" };
        String[] samples = { "user-1", "tenant:alice", "2001:db8::1", "API_key.42", "with space", "Zoë", "\u6771\u4eac",
                "\uD83D\uDE00", "{hash}", "%41", "#x", "a".repeat(128), "a".repeat(129), "a:".repeat(64) + "%" };
        for (int round = 0; round < 2; round++) {
            for (String limit : limits) {
                for (String key : samples) {
                    assertThat(keys.bucketBytes(limit, key)).as(limit + " / " + key)
                            .isEqualTo(keys.bucket(limit, key).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void aKeyThatNeedsNoEncodingIsWrittenAsItIsAfterTheHead() {
        assertThat(new String(keys.bucketBytes("search", "tenant:alice"), StandardCharsets.UTF_8))
                .isEqualTo("crossbridge:rl:search:tenant:alice");
        assertThat(new String(keys.bucketBytes("odd:limit", "x y"), StandardCharsets.UTF_8))
                .isEqualTo("crossbridge:rl:odd%3Alimit:x%20y");
    }
}
