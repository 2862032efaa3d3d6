package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.LogThrottle;
import io.crossbridge.hardening.autoconfigure.MethodSettings;
import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.retry.Jitter;
import io.crossbridge.hardening.retry.RetryPolicy;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;

/**
 * The retry policy of each annotated method (the named policy with the annotation's inline
 * overrides) and its meters, resolved once per method (at startup for singletons) and cached.
 */
final class RetryWithBackoffPolicies {

    private static final Log logger = LogFactory.getLog(RetryWithBackoffPolicies.class);

    private final ObjectProvider<RetryPolicyCatalog> catalog;

    private final ObjectProvider<RetryRecorder.Factory> recorders;

    private final MethodSettings<RetryWithBackoff, RetriedMethod> methods = new MethodSettings<>(RetryWithBackoff.class,
            this::resolve);

    RetryWithBackoffPolicies(ObjectProvider<RetryPolicyCatalog> catalog, ObjectProvider<RetryRecorder.Factory> recorders) {
        this.catalog = catalog;
        this.recorders = recorders;
    }

    /**
     * Returns what {@code method} called on {@code targetClass} needs.
     *
     * @throws IllegalStateException naming the method when the annotation cannot be resolved
     */
    RetriedMethod methodFor(Method method, Class<?> targetClass) {
        return methods.get(method, targetClass);
    }

    /** How many {@code @RetryWithBackoff} methods there are, once startup has validated them. */
    int methodCount() {
        return methods.size();
    }

    private RetriedMethod resolve(Method method, Class<?> targetClass, RetryWithBackoff annotation, String where) {
        String name = annotation.policy().isEmpty() ? "default" : annotation.policy();
        RetryPolicyCatalog policies = catalog.getIfAvailable();
        if (policies == null) {
            throw new IllegalStateException(where + " needs retries enabled (crossbridge.hardening.retry.enabled)");
        }
        RetryPolicy policy = policies.find(name).orElseThrow(() -> new IllegalStateException(
                where + " names retry policy '" + name + "', which does not exist; configured: " + policies.names()));
        RetryPolicy adjusted;
        try {
            adjusted = withInlineSettings(policy, annotation);
        }
        catch (IllegalArgumentException ex) {
            // The policy names its component; the annotation's attribute is timeout.
            throw new IllegalStateException(where + " has a bad setting: "
                    + String.valueOf(ex.getMessage()).replace("attemptTimeout", "timeout"), ex);
        }
        CallShape shape = CallShape.of(method, where);
        if (adjusted.attemptTimeout() != null && shape.blocks()) {
            if (!annotation.timeout().isEmpty()) {
                throw new IllegalStateException(where + " sets timeout \"" + annotation.timeout() + "\", which only "
                        + "bounds a method returning a CompletionStage or a reactive type; bound a blocking call by "
                        + "its client's timeouts (see the README's \"Timeouts of blocking calls\")");
            }
            logger.warn(where + " is blocking: retry policy '" + name + "' has a timeout of " + adjusted.attemptTimeout()
                    + ", which does not bound its attempts; its client's own timeouts must");
        }
        String methodName = targetClass.getSimpleName() + "." + method.getName();
        RetryRecorder recorder = recorders.getIfAvailable(() -> (n, p) -> RetryRecorder.NONE).forMethod(methodName, name);
        return new RetriedMethod(adjusted, methodName, name, recorder, new LogThrottle(Duration.ofSeconds(1)), shape);
    }

    private static RetryPolicy withInlineSettings(RetryPolicy policy, RetryWithBackoff annotation) {
        RetryPolicy result = policy;
        if (annotation.maxAttempts() >= 1) {
            result = result.withMaxAttempts(annotation.maxAttempts());
        }
        Duration base = duration("baseDelay", annotation.baseDelay(), result.baseDelay());
        Duration max = duration("maxDelay", annotation.maxDelay(), result.maxDelay());
        result = result.withDelays(base, max);
        if (annotation.multiplier() >= 1) {
            result = result.withMultiplier(annotation.multiplier());
        }
        if (!annotation.jitter().isEmpty()) {
            result = result.withJitter(jitter(annotation.jitter()));
        }
        if (!annotation.maxElapsed().isEmpty()) {
            result = result.withMaxElapsed(duration("maxElapsed", annotation.maxElapsed(), null));
        }
        if (!annotation.timeout().isEmpty()) {
            result = result.withAttemptTimeout(duration("timeout", annotation.timeout(), null));
        }
        return result.withRetryOn(annotation.retryOn()).withAbortOn(annotation.abortOn());
    }

    private static Duration duration(String attribute, String text, Duration otherwise) {
        if (text.isEmpty()) {
            return otherwise;
        }
        try {
            return DurationStyle.detectAndParse(text);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(attribute + " must be a duration such as \"500ms\" or \"PT5S\", was \""
                    + text + "\"");
        }
    }

    private static Jitter jitter(String text) {
        try {
            return Jitter.valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("jitter must be one of none, full, equal, decorrelated, was \"" + text + "\"");
        }
    }
}
