package io.crossbridge.hardening.autoconfigure;

import reactor.blockhound.BlockHound;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs BlockHound before a test class runs ({@code @ExtendWith(BlockHoundInstalled.class)}):
 * from then on, for the rest of the test JVM, a blocking call on a non-blocking thread (Reactor's
 * parallel threads, Netty's event loops) fails with {@code BlockingOperationError} where it is
 * made. Reactor's and Netty's own integrations come with their jars. Logging is allowed: the
 * tests' console appender writes synchronously, which is the application's logging setup, not
 * the starter's doing.
 */
public final class BlockHoundInstalled implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        // Installing a second time does nothing.
        BlockHound.install(builder -> builder.allowBlockingCallsInside("ch.qos.logback.classic.Logger", "callAppenders"));
    }
}
