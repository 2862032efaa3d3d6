package io.crossbridge.hardening.autoconfigure.call;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

import org.springframework.aop.ProxyMethodInvocation;

/** A single-valued retried call: each subscription is one {@link RetriedSubscription}. */
final class RetriedMono extends Mono<Object> {

    private final ReactiveShape shape;

    private final ProxyMethodInvocation template;

    private final CallRetry retry;

    RetriedMono(ReactiveShape shape, ProxyMethodInvocation template, CallRetry retry) {
        this.shape = shape;
        this.template = template;
        this.retry = retry;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Object> actual) {
        new RetriedSubscription(actual, shape, template, retry).start();
    }
}
