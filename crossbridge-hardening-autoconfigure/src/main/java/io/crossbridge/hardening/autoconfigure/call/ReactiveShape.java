package io.crossbridge.hardening.autoconfigure.call;

import io.crossbridge.hardening.AsyncFailures;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.ReactiveAdapter;

/**
 * A method returning a reactive type: nothing runs when it is called. Each subscription decides,
 * runs a fresh clone of the invocation and records its outcome on its own; waits run on Reactor's
 * timer, never on a sleeping thread. A single-valued publisher succeeds with its value (or its
 * completion when it has none), a multi-valued one when it completes; a cancel is no outcome.
 * Other reactive types than Reactor's are adapted to Reactor and back through their
 * {@link ReactiveAdapter}.
 */
final class ReactiveShape extends CallShape {

    private static final int PENDING = 0;

    private static final int HANDED_OVER = 1;

    private static final int CANCELLED = 2;

    private final ReactiveAdapter adapter;

    ReactiveShape(ReactiveAdapter adapter) {
        this.adapter = adapter;
    }

    @Override
    public <E> Object guard(MethodInvocation invocation, CallGuard<E> guard) {
        // The invocation itself never proceeds here: it is the template each subscription clones.
        ProxyMethodInvocation template = (ProxyMethodInvocation) invocation;
        return answer(Flux.deferContextual(subscriber -> {
            CompletableFuture<E> entering = guard.enterWithoutBlocking(contextOf(subscriber)).toCompletableFuture();
            CompletableFuture<Decided<E>> decided = entering
                    .handle((entry, refusal) -> new Decided<>(entry, AsyncFailures.unwrap(refusal)));
            if (decided.isDone()) {
                // Decided on this thread (a store in memory, a free place): no hand-off.
                return enteredOrRefused(template, guard, decided.join());
            }
            return decidedLater(template, guard, entering, decided);
        }));
    }

    /**
     * Goes on once a decision made elsewhere (Redis) has come, on one of Reactor's parallel
     * threads rather than the store's own (Lettuce's I/O thread, Jedis's pool), which must not
     * run the application's call. A subscriber that cancels before the decision comes gets none:
     * a wait is given up, and a decision that comes all the same is told it was cancelled.
     */
    private <E> Flux<Object> decidedLater(ProxyMethodInvocation template, CallGuard<E> guard,
            CompletableFuture<E> entering, CompletableFuture<Decided<E>> decided) {
        AtomicInteger handOver = new AtomicInteger(PENDING);
        return Mono.fromFuture(decided, true)
                .publishOn(Schedulers.parallel())
                .flatMapMany(decision -> Flux.defer(() -> handOver.compareAndSet(PENDING, HANDED_OVER)
                        ? enteredOrRefused(template, guard, decision) : Flux.empty()))
                .doOnCancel(() -> {
                    // Not handed over yet: the call never runs, and its decision, when it comes, is cancelled.
                    if (handOver.compareAndSet(PENDING, CANCELLED)) {
                        if (guard.waits()) {
                            entering.cancel(false);
                        }
                        decided.thenAccept(decision -> {
                            if (decision.refusal() == null) {
                                guard.cancelled(decision.entry());
                            }
                        });
                    }
                });
    }

    /** A decision made elsewhere: the entry, or the refusal. */
    private record Decided<E>(E entry, Throwable refusal) {
    }

    private <E> Flux<Object> enteredOrRefused(ProxyMethodInvocation template, CallGuard<E> guard,
            Decided<E> decided) {
        if (decided.refusal() != null) {
            return answerOf(() -> guard.refused(decided.refusal()));
        }
        E entry = decided.entry();
        return Flux.deferContextual(context -> {
            Outcome outcome = new Outcome();
            Publisher<Object> call;
            guard.running(entry);
            try {
                call = publisherOf(template.invocableClone().proceed());
            }
            catch (Throwable failure) {
                guard.returned(entry);
                outcome.end();
                return answerOf(() -> guard.failed(entry, failure));
            }
            guard.returned(entry);
            return underObservation(Flux.from(call), guard.observation(entry))
                    .doOnNext(value -> {
                        outcome.emitted = true;
                        if (!adapter.isMultiValue() && outcome.end()) {
                            guard.succeeded(entry);
                        }
                    })
                    .doOnComplete(() -> {
                        if (outcome.end()) {
                            guard.succeeded(entry);
                        }
                    })
                    .onErrorResume(failure -> {
                        if (!outcome.end()) {
                            return Flux.error(failure);
                        }
                        Throwable unwrapped = AsyncFailures.unwrap(failure);
                        if (outcome.emitted) {
                            // Elements reached the subscriber: an answer appended to them would be
                            // a second, different answer. The failure passes through.
                            guard.failedAfterElements(entry, unwrapped);
                            return Flux.error(unwrapped);
                        }
                        return answerOf(() -> guard.failed(entry, unwrapped));
                    })
                    .doOnCancel(() -> {
                        if (outcome.end()) {
                            TimeoutException timeout = AttemptDeadline.passedIn(context);
                            if (timeout != null) {
                                guard.timedOut(entry, timeout);
                            }
                            else {
                                guard.cancelled(entry);
                            }
                        }
                    });
        });
    }

    @Override
    public Object retry(MethodInvocation invocation, CallRetry retry) {
        // The invocation itself never proceeds here: it is the template each attempt clones.
        ProxyMethodInvocation template = (ProxyMethodInvocation) invocation;
        return adapter.fromPublisher(adapter.isMultiValue() ? new RetriedFlux(this, template, retry)
                : new RetriedMono(this, template, retry));
    }

    static CallContext contextOf(ContextView subscriber) {
        return new SubscriberContext(subscriber);
    }

    /** The call with {@code observation} current in its context, so what the call observes nests under it. */
    static Flux<Object> underObservation(Flux<Object> call, Object observation) {
        return observation == null ? call : call.contextWrite(Context.of(CallContext.OBSERVATION, observation));
    }

    boolean singleValued() {
        return !adapter.isMultiValue();
    }

    /** The method's answer in its own reactive type. */
    private Object answer(Flux<Object> flux) {
        return adapter.fromPublisher(adapter.isMultiValue() ? flux : Mono.fromDirect(flux));
    }

    /** What an advice answered instead (a fallback's publisher, or a throw), as a flux. */
    private Flux<Object> answerOf(Answer answer) {
        try {
            return Flux.from(publisherOf(answer.get()));
        }
        catch (Throwable ex) {
            return Flux.error(ex);
        }
    }

    Publisher<Object> publisherOf(Object result) {
        if (result == null) {
            return Flux.error(new NullPointerException("the method returned null instead of a "
                    + adapter.getReactiveType().getName()));
        }
        return adapter.toPublisher(result);
    }

    /** Makes sure one subscription records one outcome, whichever signal comes first. */
    private static final class Outcome extends AtomicBoolean {

        private static final long serialVersionUID = 1L;

        /** Whether an element reached the subscriber. */
        volatile boolean emitted;

        /** Returns whether this is the first end. */
        boolean end() {
            return !get() && compareAndSet(false, true);
        }
    }

    /** What an advice answers, which may throw. */
    @FunctionalInterface
    private interface Answer {

        Object get() throws Throwable;
    }
}
