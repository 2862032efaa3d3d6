package io.crossbridge.hardening.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyFingerprintTests {

    @Test
    void sameKeyGivesTheSameShortFingerprint() {
        assertThat(KeyFingerprint.of("203.0.113.7")).isEqualTo(KeyFingerprint.of("203.0.113.7"))
                .matches("#[0-9a-f]{8}").isNotEqualTo(KeyFingerprint.of("203.0.113.8"));
        assertThat(KeyFingerprint.of(null)).isEqualTo("<none>");
    }

    @Test
    void fingerprintIsNotAPlainHashThatGuessesCouldReverse() throws Exception {
        String key = "203.0.113.7";
        byte[] plain = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));

        assertThat(KeyFingerprint.of(key)).isNotEqualTo("#" + HexFormat.of().formatHex(plain, 0, 4))
                .doesNotContain(key);
    }
}
