package io.crossbridge.hardening.autoconfigure.ratelimit;

import io.crossbridge.hardening.autoconfigure.InvalidPropertyException;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.springframework.util.StringUtils;

/**
 * The client address a request counts against, as {@code crossbridge.hardening.rate-limit.client-address}
 * says. By default the remote address. Behind proxies, the one address that the proxies vouch
 * for: the {@code trusted-proxies}-th entry of {@code X-Forwarded-For} from the right, since each
 * proxy appends the address it saw and a client can write anything to the left of them (Spring's
 * own forwarded-header support takes the leftmost entry, which the client chose); or a header the
 * nearest proxy sets itself. A request with fewer entries than proxies did not come through them
 * all, and counts by its remote address. An IPv6 address counts by its leading
 * {@code ipv6-prefix-length} bits, as a host rotates addresses within its /64.
 */
public final class ClientAddresses {

    private final int trustedProxies;

    private final String header;

    private final int ipv6PrefixLength;

    /**
     * @throws InvalidPropertyException naming the setting that is out of range
     */
    public ClientAddresses(RateLimitProperties.ClientAddress settings) {
        String prefix = "crossbridge.hardening.rate-limit.client-address.";
        if (settings.getTrustedProxies() < 0 || settings.getTrustedProxies() > 16) {
            throw new InvalidPropertyException(prefix + "trusted-proxies", settings.getTrustedProxies(),
                    "It must be from 0 (no proxy: the remote address) to 16.");
        }
        if (settings.getIpv6PrefixLength() < 1 || settings.getIpv6PrefixLength() > 128) {
            throw new InvalidPropertyException(prefix + "ipv6-prefix-length", settings.getIpv6PrefixLength(),
                    "It must be from 1 to 128.");
        }
        String header = StringUtils.hasText(settings.getHeader()) ? settings.getHeader().trim() : null;
        if (header != null && (header.equalsIgnoreCase("X-Forwarded-For") || header.equalsIgnoreCase("Forwarded"))) {
            throw new InvalidPropertyException(prefix + "header", header, "It names a header a client writes to "
                    + "as well; for X-Forwarded-For set trusted-proxies instead.");
        }
        this.trustedProxies = settings.getTrustedProxies();
        this.header = header;
        this.ipv6PrefixLength = settings.getIpv6PrefixLength();
    }

    /**
     * The client address of a request, as its key's value.
     *
     * @param remoteAddress the address the connection came from
     * @param headers       a header's values by name, in the order they came
     */
    public String of(String remoteAddress, Function<String, List<String>> headers) {
        return masked(withoutPort(vouchedFor(remoteAddress, headers)));
    }

    /**
     * The address without a port some proxies add ({@code 203.0.113.9:54321},
     * {@code [2001:db8::1]:443}): a port changes with every connection, and would give a client
     * a bucket per connection.
     */
    static String withoutPort(String address) {
        if (address == null) {
            return null;
        }
        if (address.startsWith("[")) {
            int end = address.indexOf(']');
            return end > 0 ? address.substring(1, end) : address;
        }
        int colon = address.indexOf(':');
        return colon > 0 && colon == address.lastIndexOf(':') ? address.substring(0, colon) : address;
    }

    private String vouchedFor(String remoteAddress, Function<String, List<String>> headers) {
        if (header != null) {
            List<String> values = headers.apply(header);
            String value = values.isEmpty() ? null : values.get(0);
            return StringUtils.hasText(value) ? value.trim() : remoteAddress;
        }
        if (trustedProxies == 0) {
            return remoteAddress;
        }
        List<String> hops = new ArrayList<>();
        for (String line : headers.apply("X-Forwarded-For")) {
            for (String hop : line.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        return hops.size() >= trustedProxies ? hops.get(hops.size() - trustedProxies) : remoteAddress;
    }

    /** An IPv6 address cut to its prefix, in its canonical form; anything else as it is. */
    String masked(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        String literal = address.startsWith("[") && address.endsWith("]") ? address : "[" + address + "]";
        try {
            // In brackets, a text is parsed as an IPv6 literal or refused, never looked up by name:
            // a header's value must not make the request path ask DNS.
            InetAddress parsed = InetAddress.getByName(literal);
            if (!(parsed instanceof Inet6Address)) {
                return parsed.getHostAddress();
            }
            byte[] bytes = parsed.getAddress();
            for (int bit = ipv6PrefixLength; bit < 128; bit++) {
                bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + ipv6PrefixLength;
        }
        catch (UnknownHostException | IllegalArgumentException ex) {
            // Not an address (a header may say anything): a key of its own, as it is.
            return address;
        }
    }
}
