package io.crossbridge.hardening.health;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of health output, which is shown on an HTTP endpoint and in logs: detail
 * names that look like a credential get a masked value, and text that looks like one is masked
 * in messages and detail values.
 */
final class Redaction {

    static final String MASK = "******";

    private static final String[] SECRET_NAME_PARTS = { "key", "token", "password", "passwd", "secret",
            "credential", "authorization", "auth", "cookie", "session", "signature" };

    /** {@code name=value}, {@code name: value} or {@code name is value} where the name looks like a credential. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)\\b([\\w.-]*(?:key|token|password|passwd|secret|credential|authorization|auth|signature)[\\w.-]*)"
                    + "(\\s*[:=]\\s*|\\s+is\\s+)(\"[^\"]*\"|'[^']*'|[^\\s,;&]+)");

    /** An authorization scheme followed by its credential. */
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(bearer|basic|token)\\s+[A-Za-z0-9._~+/=-]{6,}");

    /** Well-known key shapes: {@code sk-...}, {@code ghp_...}, {@code AKIA...}, and JWTs. */
    private static final Pattern KEY_SHAPE = Pattern.compile(
            "\\b(?:(?:sk|pk|rk)[-_](?:live|test|proj)?[-_]?[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{16,}"
                    + "|AKIA[A-Z0-9]{12,}|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})");

    /** Credentials in a URL: {@code scheme://user:password@host}. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://)[^/\\s:@]+:[^/\\s@]+@");

    private Redaction() {
    }

    static boolean isSecretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String part : SECRET_NAME_PARTS) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return false;
    }

    static String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        // Schemes first: in "Authorization: Bearer x" the assignment alone would mask "Bearer".
        String scrubbed = URL_CREDENTIALS.matcher(text).replaceAll("$1" + MASK + "@");
        scrubbed = SCHEME.matcher(scrubbed).replaceAll("$1 " + MASK);
        scrubbed = ASSIGNMENT.matcher(scrubbed).replaceAll("$1$2" + MASK);
        return KEY_SHAPE.matcher(scrubbed).replaceAll(MASK);
    }
}
