package io.crossbridge.hardening.autoconfigure.retry;

import io.crossbridge.hardening.autoconfigure.LogThrottle;
import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.retry.RetryPolicy;

/**
 * What a {@code @RetryWithBackoff} method needs per call, resolved once.
 *
 * @param policy     the policy, inline overrides applied
 * @param name       the method as {@code Class.method}, for metrics and logs
 * @param policyName the named policy it started from
 * @param recorder   its meters
 * @param gaveUpLog  lets one "gave up" warning a second through for this method
 * @param shape      the shape of its result, which replays its calls
 */
record RetriedMethod(RetryPolicy policy, String name, String policyName, RetryRecorder recorder, LogThrottle gaveUpLog,
        CallShape shape) {
}
