package io.crossbridge.hardening.concurrency;

import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A timer whose scheduled tasks fail when cancelled, as BlockHound fails a cancel that would park
 * on the queue's lock on a non-blocking thread. It runs nothing scheduled, and executes at once.
 */
final class TimerWhoseCancelFails extends ScheduledThreadPoolExecutor {

    TimerWhoseCancelFails() {
        super(1);
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        ScheduledFuture<?> queued = super.schedule(command, 1, TimeUnit.DAYS);
        return new ScheduledFuture<Object>() {

            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                throw new IllegalStateException("Blocking call on a non-blocking thread");
            }

            @Override
            public long getDelay(TimeUnit timeUnit) {
                return queued.getDelay(timeUnit);
            }

            @Override
            public int compareTo(Delayed other) {
                return queued.compareTo(other);
            }

            @Override
            public boolean isCancelled() {
                return queued.isCancelled();
            }

            @Override
            public boolean isDone() {
                return queued.isDone();
            }

            @Override
            public Object get() throws InterruptedException, ExecutionException {
                return queued.get();
            }

            @Override
            public Object get(long timeout, TimeUnit timeUnit)
                    throws InterruptedException, ExecutionException, TimeoutException {
                return queued.get(timeout, timeUnit);
            }
        };
    }
}
