package io.crossbridge.hardening.autoconfigure.ratelimit;

/**
 * Observes each call of a {@code @RateLimited} method, so that a trace shows the decision and,
 * nested under it, the call. Kept free of Micrometer types, so the interceptor runs without
 * Micrometer on the class path.
 */
@FunctionalInterface
interface RateLimitObserver {

    /** Observes nothing, when no observation registry exists. */
    RateLimitObserver NONE = (name, limit, parent) -> Call.NONE;

    /**
     * Starts observing one call of {@code name} ({@code Class.method}) under {@code limit}.
     *
     * @param parent the caller's observation, for a call whose caller keeps it beside the call (a
     *               reactive one); {@code null} for the one current on this thread
     */
    Call start(String name, String limit, Object parent);

    /**
     * One observed call: either {@link #rejected} or {@link #failed}, or {@link #allowed}, then
     * {@link #running} and {@link #returned} on one thread, and {@link #end} or {@link #cancelled}
     * (later, from any thread, for an asynchronous or reactive method).
     */
    interface Call {

        /** An observed call that records nothing. */
        Call NONE = new Call() {

            @Override
            public void rejected(RuntimeException reason) {
            }

            @Override
            public void failed(Throwable failure) {
            }

            @Override
            public void allowed() {
            }

            @Override
            public void running() {
            }

            @Override
            public void returned() {
            }

            @Override
            public void cancelled() {
            }

            @Override
            public void end(Throwable failure) {
            }
        };

        /** The limiter refused the call; it ends here. */
        void rejected(RuntimeException reason);

        /** No decision could be made (a key expression failed): the call ends here. */
        void failed(Throwable failure);

        /** The limiter let the call through. */
        void allowed();

        /** The allowed method runs on this thread from here. */
        void running();

        /** The method returned to this thread, or threw; its future may still be running. */
        void returned();

        /** The caller cancelled the allowed call: it ends with no outcome. */
        void cancelled();

        /** The allowed call ended: with {@code failure}, or with a success when it is {@code null}. */
        void end(Throwable failure);

        /** The observation itself, for a reactive call to make current in its context; or {@code null}. */
        default Object observation() {
            return null;
        }
    }
}
