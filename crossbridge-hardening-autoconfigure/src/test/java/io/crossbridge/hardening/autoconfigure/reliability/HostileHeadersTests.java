package io.crossbridge.hardening.autoconfigure.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Random and oversized values of the header a URL rule keys on, sent as raw bytes over a socket
 * (a client library would refuse most of them): the answer is never a server error. Values the
 * server cannot accept (oversized, control characters) get a 4xx; a missing key a 400.
 */
@Tag("reliability")
@SpringBootTest(classes = HostileHeadersTests.Application.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "crossbridge.hardening.rate-limit.http[0].path=/api/**",
                "crossbridge.hardening.rate-limit.http[0].limit=search",
                "crossbridge.hardening.rate-limit.http[0].key=header:X-API-Key" })
class HostileHeadersTests {

    @LocalServerPort
    private int port;

    @Test
    void randomHeaderValuesNeverGetAServerError() {
        qt().withExamples(300).forAll(headerValues()).checkAssert(value -> {
            int status = statusFor(value);
            assertThat(status).as("status for a %d-byte value", value.length).isBetween(200, 499);
        });
    }

    @Test
    void oversizedAndControlCharacterValuesGetA4xx() {
        assertThat(statusFor("k".repeat(100_000).getBytes(StandardCharsets.US_ASCII))).isBetween(400, 499);
        assertThat(statusFor(new byte[] { 'k', 1, 2, 3 })).isBetween(400, 499);
        assertThat(statusFor(new byte[0])).isEqualTo(400);
    }

    private int statusFor(byte[] value) {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes("GET /api/search HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-API-Key: "
                    .getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(value);
            request.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
        catch (IOException ex) {
            // The server may close the connection on a request it will not read: that is a refusal.
            return 400;
        }
    }

    /** Bytes other than CR and LF (which would end the header), of any length up to 20,000. */
    private static Gen<byte[]> headerValues() {
        Gen<Integer> aByte = integers().between(0, 255).map(b -> b == '\r' || b == '\n' ? 'x' : b);
        return lists().of(aByte).ofSizeBetween(0, 20_000).map(bytes -> {
            byte[] value = new byte[bytes.size()];
            for (int i = 0; i < value.length; i++) {
                value[i] = (byte) (int) bytes.get(i);
            }
            return value;
        });
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Api.class)
    static class Application {
    }

    @RestController
    static class Api {

        @GetMapping("/api/search")
        String search() {
            return "ok";
        }
    }
}
