package io.crossbridge.hardening.autoconfigure.retry;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Found by the soak run: with the provider down, every call logged "Gave up retrying" at WARN,
 * over a thousand lines in a minute. Now one line a second per method, with the number held back.
 */
@ExtendWith(OutputCaptureExtension.class)
class GaveUpLogTests {

    @Test
    void aProviderDownForEveryCallLogsOneWarningNotOnePerCall(CapturedOutput output) {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
                .withPropertyValues("crossbridge.hardening.retry.policies.fast.max-attempts=2",
                        "crossbridge.hardening.retry.policies.fast.base-delay=0ms",
                        "crossbridge.hardening.retry.policies.fast.max-delay=0ms")
                .withUserConfiguration(RetryWithBackoffTests.ServiceConfiguration.class).run(context -> {
                    RetryWithBackoffTests.Provider provider = context.getBean(RetryWithBackoffTests.Provider.class);
                    provider.failNext(1_000);
                    for (int i = 0; i < 200; i++) {
                        assertThatExceptionOfType(IOException.class).isThrownBy(() -> provider.complete("hi"));
                    }
                });

        long lines = output.getAll().lines().filter(line -> line.contains("Gave up retrying Provider.complete")).count();
        assertThat(lines).as("warnings for 200 failed calls made within well under a second or two").isBetween(1L, 3L);
    }
}
