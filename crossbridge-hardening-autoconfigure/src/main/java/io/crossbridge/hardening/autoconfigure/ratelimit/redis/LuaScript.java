package io.crossbridge.hardening.autoconfigure.ratelimit.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script, run with {@code EVALSHA} (one round trip) and sent whole with {@code EVAL} once
 * when the server does not know it ({@code NOSCRIPT}: after a restart or a {@code SCRIPT FLUSH}).
 */
final class LuaScript {

    private final byte[] source;

    private final String sha;

    private final byte[] shaBytes;

    private LuaScript(byte[] source, String sha) {
        this.source = source;
        this.sha = sha;
        this.shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads the script next to this class. Its SHA-1, the name {@code EVALSHA} knows it by, is
     * computed here, so nothing needs Redis before the first call: an application starts while
     * Redis is down.
     */
    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("script " + name + " is missing from the class path");
            }
            byte[] source = in.readAllBytes();
            return new LuaScript(source, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source)));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is required of every JVM", ex);
        }
    }

    byte[] source() {
        return source;
    }

    /** The SHA-1 in hex, as {@code EVALSHA} takes it. */
    String sha() {
        return sha;
    }

    /** {@link #sha()} as bytes, for drivers that send bytes. */
    byte[] shaBytes() {
        return shaBytes;
    }
}
