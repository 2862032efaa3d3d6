package io.crossbridge.hardening.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A bad setting stops the real application with Boot's failure report, naming the property.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTests {

    @Test
    void badRetrySettingStopsStartupWithAReportNamingTheProperty(CapturedOutput output) {
        assertThatException().isThrownBy(() -> SpringApplication.run(SampleApplication.class, "--server.port=0",
                "--crossbridge.hardening.retry.policies.embed.max-attempts=0"));

        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value for 'crossbridge.hardening.retry.policies.embed.max-attempts': 0.")
                .contains("Reason: MaxAttempts must be from 1 to 100, was 0.")
                .contains("Update 'crossbridge.hardening.retry.policies.embed.max-attempts' in your application's configuration.");
    }
}
