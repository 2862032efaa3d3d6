/**
 * The shapes of a call (blocking, {@code CompletionStage}, reactive), which run each advice's
 * {@link io.crossbridge.hardening.autoconfigure.call.CallGuard} and replay retried calls, so that
 * no advice handles the shape itself. Internal to the starter: public only so that its packages
 * can share them, and free to change in any release.
 */
package io.crossbridge.hardening.autoconfigure.call;
