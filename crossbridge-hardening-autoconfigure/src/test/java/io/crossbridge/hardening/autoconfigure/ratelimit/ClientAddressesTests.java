package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ClientAddressesTests {

    @Test
    void withoutTrustedProxiesTheRemoteAddressCountsWhateverTheHeadersSay() {
        MockHttpServletRequest request = request("10.0.0.7", "198.51.100.1");

        assertThat(addressOf(addresses(0, null), request)).isEqualTo("10.0.0.7");
    }

    @Test
    void theTrustedProxiesEntryFromTheRightIsTheClient() {
        MockHttpServletRequest request = request("10.0.0.7", "198.51.100.1, 203.0.113.9", "192.0.2.4");

        assertThat(addressOf(addresses(1, null), request)).isEqualTo("192.0.2.4");
        assertThat(addressOf(addresses(2, null), request)).isEqualTo("203.0.113.9");
        assertThat(addressOf(addresses(4, null), request)).as("fewer entries than proxies: not through them all")
                .isEqualTo("10.0.0.7");
    }

    @Test
    void aProxysOwnHeaderWinsOverForwardedFor() {
        MockHttpServletRequest request = request("10.0.0.7", "198.51.100.1");
        request.addHeader("X-Real-IP", " 203.0.113.9 ");

        assertThat(addressOf(addresses(1, "X-Real-IP"), request)).isEqualTo("203.0.113.9");
        assertThat(addressOf(addresses(1, "X-Real-IP"), request("10.0.0.7"))).isEqualTo("10.0.0.7");
    }

    @Test
    void ipv6AddressesCountByTheirPrefixAndAnythingElseAsItIs() {
        ClientAddresses addresses = addresses(0, null);

        assertThat(addresses.masked("2001:db8:1:2:abcd::9")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(addresses.masked("[2001:db8:1:2::1]")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(addresses.masked("::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(addresses.masked("203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(addresses.masked("not:an:address.example")).isEqualTo("not:an:address.example");
    }

    @Test
    void aPortSomeProxiesAddIsNotPartOfTheAddress() {
        assertThat(addressOf(addresses(1, null), request("10.0.0.7", "198.51.100.1, 203.0.113.9:54321"))).isEqualTo("203.0.113.9");
        assertThat(addressOf(addresses(1, null), request("10.0.0.7", "[2001:db8:1:2::1]:443")))
                .isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(addressOf(addresses(1, null), request("10.0.0.7", "2001:db8:1:2::1"))).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    }

    @Test
    void badSettingsAreRefusedNamingTheProperty() {
        assertThatExceptionOfType(InvalidPropertyException.class).isThrownBy(() -> addresses(-1, null))
                .withMessageContaining("crossbridge.hardening.rate-limit.client-address.trusted-proxies");
        RateLimitProperties.ClientAddress settings = new RateLimitProperties.ClientAddress();
        settings.setIpv6PrefixLength(129);
        assertThatExceptionOfType(InvalidPropertyException.class).isThrownBy(() -> new ClientAddresses(settings))
                .withMessageContaining("crossbridge.hardening.rate-limit.client-address.ipv6-prefix-length");
        assertThatExceptionOfType(InvalidPropertyException.class).isThrownBy(() -> addresses(0, "X-Forwarded-For"))
                .withMessageContaining("crossbridge.hardening.rate-limit.client-address.header");
    }

    private static ClientAddresses addresses(int trustedProxies, String header) {
        RateLimitProperties.ClientAddress settings = new RateLimitProperties.ClientAddress();
        settings.setTrustedProxies(trustedProxies);
        settings.setHeader(header);
        return new ClientAddresses(settings);
    }

    private static MockHttpServletRequest request(String remoteAddress, String... forwardedFor) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr(remoteAddress);
        for (String line : forwardedFor) {
            request.addHeader("X-Forwarded-For", line);
        }
        return request;
    }

    /** The address of a servlet request, read as the servlet side reads it. */
    private static String addressOf(ClientAddresses addresses, MockHttpServletRequest request) {
        return addresses.of(request.getRemoteAddr(), name -> java.util.Collections.list(request.getHeaders(name)));
    }
}
