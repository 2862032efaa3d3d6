package io.crossbridge.hardening.autoconfigure.health;

import io.crossbridge.hardening.health.HealthCheck;
import io.crossbridge.hardening.health.HealthResult;

import java.util.concurrent.CountDownLatch;

/**
 * A provider check a test turns up, down or hung while the application runs.
 */
final class SwitchableCheck implements HealthCheck {

    enum State {
        UP, FAILING, HUNG
    }

    private final CountDownLatch released = new CountDownLatch(1);

    private volatile State state;

    SwitchableCheck(State state) {
        this.state = state;
    }

    void set(State state) {
        this.state = state;
    }

    /** Lets a hung check return, so that no test leaves a thread blocked. */
    void release() {
        released.countDown();
    }

    @Override
    public HealthResult check() throws Exception {
        return switch (state) {
            case UP -> HealthResult.healthy("answering");
            case FAILING -> throw new java.io.IOException("connection refused by provider, api_key=sk-test-abcdef0123456789");
            case HUNG -> {
                released.await();
                yield HealthResult.healthy();
            }
        };
    }
}
