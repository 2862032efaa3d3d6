package io.crossbridge.hardening.autoconfigure.concurrency;

import io.crossbridge.hardening.autoconfigure.call.CallShape;
import io.crossbridge.hardening.autoconfigure.expression.ArgumentExpression;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a {@code @ConcurrencyLimited} method needs per call, resolved once.
 *
 * @param limit    its limit
 * @param key      its key expression, or {@code null} for the limit over all calls
 * @param where    names the annotation and the method, for messages
 * @param calls    its limit's call counters
 * @param signals  what a failure tells an adaptive limit
 * @param timer    ends asynchronous waits
 * @param granted  runs asynchronous calls let in after a wait
 * @param shape    the shape of its result
 */
record LimitedMethod(NamedConcurrencyLimit limit, ArgumentExpression key, String where, ConcurrencyCalls calls,
        OverloadSignals signals, ScheduledExecutorService timer, Executor granted, CallShape shape) {
}
