package io.crossbridge.hardening.autoconfigure.call;

import io.crossbridge.hardening.AsyncFailures;
import io.crossbridge.hardening.retry.RetryRun;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.springframework.aop.ProxyMethodInvocation;

/**
 * One subscription to a retried reactive call: it makes the attempts, one after another, each a
 * fresh clone of the invocation; after a failure it waits on Reactor's timer and subscribes to
 * the next, unless an element already reached the subscriber (a retry would deliver it twice).
 * It reports exactly one outcome, whichever signal comes first: the value of a single-valued
 * call, a completion, the failure the call ends with, or a cancel. Between the subscriber and
 * the attempts it only passes signals on, so a call that succeeds at once costs this object and
 * one operator.
 */
final class RetriedSubscription implements CoreSubscriber<Object>, Subscription {

    private static final AtomicIntegerFieldUpdater<RetriedSubscription> ENDED = AtomicIntegerFieldUpdater
            .newUpdater(RetriedSubscription.class, "ended");

    private final CoreSubscriber<? super Object> actual;

    private final ReactiveShape shape;

    private final ProxyMethodInvocation template;

    private final CallRetry.Attempts attempts;

    private final RetryRun run;

    /** The bound on each attempt, or {@code null}. */
    private final Duration timeout;

    private Subscription upstream;

    /** Whether an element reached the subscriber: then no attempt may follow. */
    private volatile boolean emitted;

    private volatile int ended;

    /** The attempt under way; attempts never overlap, and each starts after the last failed. */
    private int attempt = 1;

    RetriedSubscription(CoreSubscriber<? super Object> actual, ReactiveShape shape, ProxyMethodInvocation template,
            CallRetry retry) {
        this.actual = actual;
        this.shape = shape;
        this.template = template;
        this.attempts = retry.start(false, ReactiveShape.contextOf(actual.currentContext()));
        this.run = retry.retry().run(retry.policy());
        this.timeout = retry.policy().attemptTimeout();
    }

    void start() {
        attemptThenRetry().subscribe(this);
    }

    private Flux<Object> attemptThenRetry() {
        Publisher<Object> call;
        try {
            call = shape.publisherOf(template.invocableClone().proceed());
        }
        catch (Throwable failure) {
            call = Flux.error(failure);
        }
        Flux<Object> attempted = ReactiveShape.underObservation(Flux.from(call), attempts.observation());
        return (timeout == null ? attempted : bounded(attempted)).onErrorResume(this::afterFailure);
    }

    /**
     * The attempt under its timeout, which bounds the wait for its first element (or its end):
     * after an element the call is no longer retried, and a stream may rightly run long.
     */
    private Flux<Object> bounded(Flux<Object> attempted) {
        AttemptDeadline deadline = new AttemptDeadline(attempt, timeout);
        return attempted
                .timeout(Mono.delay(timeout).doOnNext(tick -> deadline.pass()), first -> Mono.never(),
                        Flux.defer(() -> Flux.error(deadline.passed())))
                // Past the timeout, an element won the race: a later cancel is the subscriber's.
                // (A subscriber that cancels between the element's win and this line is still
                // counted as the timeout's: a window of a few instructions, left as it is.)
                .doOnNext(element -> deadline.disarm())
                .contextWrite(context -> context.put(AttemptDeadline.KEY, deadline));
    }

    private Publisher<Object> afterFailure(Throwable error) {
        Throwable failure = AsyncFailures.unwrap(error);
        if (emitted || ended != 0) {
            return Flux.error(failure);
        }
        int failed = attempt;
        RetryRun.Next next = run.afterAttempt(failed, failure);
        if (next instanceof RetryRun.Rethrow rethrow) {
            return Flux.error(rethrow.failure());
        }
        if (next instanceof RetryRun.Stop stop) {
            return Flux.error(stop.exception());
        }
        long nanos = ((RetryRun.Wait) next).nanos();
        attempts.onRetry(failed, failure, Duration.ofNanos(nanos));
        attempt = failed + 1;
        return Mono.delay(Duration.ofNanos(nanos)).flatMapMany(tick -> attemptThenRetry());
    }

    private boolean end() {
        return ended == 0 && ENDED.compareAndSet(this, 0, 1);
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        upstream = subscription;
        actual.onSubscribe(this);
    }

    @Override
    public void onNext(Object value) {
        emitted = true;
        if (shape.singleValued() && end()) {
            succeeded();
        }
        actual.onNext(value);
    }

    @Override
    public void onError(Throwable failure) {
        if (end()) {
            Throwable unwrapped = AsyncFailures.unwrap(failure);
            Throwable answer = unwrapped;
            try {
                answer = attempts.failed(unwrapped);
            }
            catch (Throwable recording) {
                // A meter or an observation handler that threw must not keep the subscriber waiting.
                Operators.onErrorDropped(recording, actual.currentContext());
            }
            actual.onError(answer);
        }
        else {
            // Cancelled meanwhile: the subscriber is gone.
            Operators.onErrorDropped(failure, actual.currentContext());
        }
    }

    @Override
    public void onComplete() {
        if (end()) {
            succeeded();
        }
        actual.onComplete();
    }

    private void succeeded() {
        try {
            attempts.succeeded();
        }
        catch (Throwable recording) {
            // A meter or an observation handler that threw must not take the value from the subscriber.
            Operators.onErrorDropped(recording, actual.currentContext());
        }
    }

    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        upstream.cancel();
        if (end()) {
            try {
                attempts.cancelled();
            }
            catch (Throwable recording) {
                Operators.onErrorDropped(recording, actual.currentContext());
            }
        }
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }
}
