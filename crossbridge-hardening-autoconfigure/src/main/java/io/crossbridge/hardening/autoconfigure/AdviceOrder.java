package io.crossbridge.hardening.autoconfigure;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Where each annotation's advice sits on a proxied call, outermost first: rate limit, circuit
 * breaker, retry, concurrency limit, then the method. So one call takes its tokens once, and
 * counts once for the breaker, however often it is retried, while each attempt holds a place
 * under the concurrency limit only while it runs. Each position
 * can be changed with the {@code order} property of its concern, where a lower value runs
 * outside a higher one; swapping them makes every attempt take its own tokens.
 */
public final class AdviceOrder {

    /** Default of {@code crossbridge.hardening.rate-limit.order}. */
    public static final int RATE_LIMIT = 100;

    /** Default of {@code crossbridge.hardening.circuit-breaker.order}. */
    public static final int CIRCUIT_BREAKER = 200;

    /** Default of {@code crossbridge.hardening.retry.order}. */
    public static final int RETRY = 300;

    /** Default of {@code crossbridge.hardening.concurrency.order}. */
    public static final int CONCURRENCY = 400;

    /** Highest allowed position; positions run from 0 to this. */
    public static final int MAX = 1000;

    private AdviceOrder() {
    }

    /**
     * Returns the order of the post-processor that applies the advice at the position the
     * {@code property} configures, or at {@code defaultPosition}. Each post-processor puts its
     * advisor in front of those already on the proxy, so the one that runs last wraps the others:
     * a lower position becomes a later post-processor. All of them run before Spring's own
     * advising post-processors ({@code @Async}, method validation), which keep wrapping ours.
     *
     * @throws InvalidPropertyException when the position is outside 0 to {@link #MAX}
     */
    public static int postProcessorOrder(Environment environment, String property, int defaultPosition) {
        int position = Binder.get(environment).bind(property, Integer.class).orElse(defaultPosition);
        if (position < 0 || position > MAX) {
            throw new InvalidPropertyException(property, position, "It must be from 0 to " + MAX
                    + "; a lower value runs outside a higher one (defaults: rate-limit " + RATE_LIMIT + ", circuit-breaker "
                    + CIRCUIT_BREAKER + ", retry " + RETRY + ", concurrency " + CONCURRENCY + ").");
        }
        return Ordered.LOWEST_PRECEDENCE - 1 - position;
    }
}
