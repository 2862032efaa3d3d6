package io.crossbridge.hardening.autoconfigure.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Rate limiting settings, under {@code crossbridge.hardening.rate-limit}.
 */
@ConfigurationProperties("crossbridge.hardening.rate-limit")
public class RateLimitProperties {

    /**
     * Whether to enable rate limiting.
     */
    private boolean enabled = true;

    /**
     * Where buckets live: in this JVM's memory, or in Redis, shared by every instance.
     */
    private Store store = Store.MEMORY;

    /**
     * Most buckets held at once, over all limits; at that bound new keys are rejected.
     */
    private int maxKeys = 100_000;

    /**
     * Limits by name. The built-in search (30), embed (60), transform (10) and health (10) limits,
     * each per 60s, exist without configuration; an entry with their name overrides what it sets,
     * other names add limits.
     */
    private Map<String, Limit> limits = new LinkedHashMap<>();

    /**
     * Position of the @RateLimited advice on a call, from 0 to 1000: a lower value runs outside a
     * higher one. Below the retry's 300 by default, so a call takes its tokens once however often
     * it is retried.
     */
    private int order = 100; // AdviceOrder.RATE_LIMIT, written out for the metadata processor

    private final Redis redis = new Redis();

    private final ClientAddress clientAddress = new ClientAddress();

    /**
     * Limits by URL, no annotation needed: every rule whose path and method match a request takes
     * its tokens, in order, before the request reaches its controller.
     */
    private List<HttpRule> http = new ArrayList<>();

    /**
     * Whether allowed responses of rate-limited requests carry the RateLimit and RateLimit-Policy
     * headers too; rejected ones always do.
     */
    private boolean httpHeaders = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Store getStore() {
        return store;
    }

    public void setStore(Store store) {
        this.store = store;
    }

    public int getMaxKeys() {
        return maxKeys;
    }

    public void setMaxKeys(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    public Map<String, Limit> getLimits() {
        return limits;
    }

    public void setLimits(Map<String, Limit> limits) {
        this.limits = limits;
    }

    public int getOrder() {
        return order;
    }

    public void setOrder(int order) {
        this.order = order;
    }

    public Redis getRedis() {
        return redis;
    }

    public ClientAddress getClientAddress() {
        return clientAddress;
    }

    public List<HttpRule> getHttp() {
        return http;
    }

    public void setHttp(List<HttpRule> http) {
        this.http = http;
    }

    public boolean isHttpHeaders() {
        return httpHeaders;
    }

    public void setHttpHeaders(boolean httpHeaders) {
        this.httpHeaders = httpHeaders;
    }

    /**
     * Where buckets live.
     */
    public enum Store {

        /** In this JVM's memory: each instance limits on its own. */
        MEMORY,

        /** In Redis, shared by every instance. */
        REDIS
    }

    /**
     * What a request gets while the shared store cannot answer in time.
     */
    public enum OnFailure {

        /** Let the request through: the provider's own limits still apply. */
        ALLOW,

        /** Reject the request as if its bucket were empty. */
        DENY
    }

    /**
     * How the client address of a request is found, for keys by address.
     */
    public static class ClientAddress {

        /**
         * Proxies in front of the application that append to X-Forwarded-For (a load balancer is
         * one, a CDN before it two): the client is the address that many entries from the right,
         * since entries left of it are whatever the client sent. 0 trusts no header: the client is
         * the remote address.
         */
        private int trustedProxies = 0;

        /**
         * A header that the nearest proxy sets to the client address itself, replacing any the
         * client sent (such as X-Real-IP); when set, it is used instead of X-Forwarded-For.
         */
        private String header;

        /**
         * Leading bits of an IPv6 address that make its key: a host rotates addresses within its
         * /64, so one client is one /64 by default. From 1 to 128.
         */
        private int ipv6PrefixLength = 64;

        public int getTrustedProxies() {
            return trustedProxies;
        }

        public void setTrustedProxies(int trustedProxies) {
            this.trustedProxies = trustedProxies;
        }

        public String getHeader() {
            return header;
        }

        public void setHeader(String header) {
            this.header = header;
        }

        public int getIpv6PrefixLength() {
            return ipv6PrefixLength;
        }

        public void setIpv6PrefixLength(int ipv6PrefixLength) {
            this.ipv6PrefixLength = ipv6PrefixLength;
        }
    }

    /**
     * The Redis store, used when {@code store} is {@code redis}.
     */
    public static class Redis {

        /**
         * Prefix of every bucket's Redis key, which is prefix:limit:key. Redis keeps keys of up to 30
         * characters in 32 bytes, so a short prefix saves memory per bucket.
         */
        private String keyPrefix = "crossbridge";

        /**
         * What a request gets while Redis cannot answer within the timeout.
         */
        private OnFailure onFailure = OnFailure.ALLOW;

        /**
         * Longest a decision waits for Redis.
         */
        private Duration timeout = Duration.ofMillis(100);

        /**
         * After a decision Redis could not make, how long later decisions skip Redis and get the
         * on-failure answer at once, so that an outage costs requests no timeout each; with
         * on-failure deny, every decision in it is rejected. From 0 (ask Redis every time) to 1m.
         */
        private Duration failurePause = Duration.ofMillis(500);

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public OnFailure getOnFailure() {
            return onFailure;
        }

        public void setOnFailure(OnFailure onFailure) {
            this.onFailure = onFailure;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getFailurePause() {
            return failurePause;
        }

        public void setFailurePause(Duration failurePause) {
            this.failurePause = failurePause;
        }
    }

    /**
     * A limit applied to requests by URL.
     */
    public static class HttpRule {

        /**
         * Path pattern the rule applies to, such as /api/search or /api/**.
         */
        private String path;

        /**
         * HTTP methods the rule applies to; every method when empty.
         */
        private List<String> methods = new ArrayList<>();

        /**
         * Name of the limit, or a SpEL expression over #request (starting with #) that chooses
         * one per request, such as a plan: "#request.getHeader('X-Plan') == 'pro' ? 'search-pro' :
         * 'search'".
         */
        private String limit;

        /**
         * Who a request counts against: principal, ip, header:NAME, or a SpEL expression over
         * #request (starting with #). By default the principal, else the client address. A
         * request without its key is rejected with 400.
         */
        private String key;

        /**
         * Tokens a request takes.
         */
        private int tokens = 1;

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public List<String> getMethods() {
            return methods;
        }

        public void setMethods(List<String> methods) {
            this.methods = methods;
        }

        public String getLimit() {
            return limit;
        }

        public void setLimit(String limit) {
            this.limit = limit;
        }

        public String getKey() {
            return key;
        }

        public void setKey(String key) {
            this.key = key;
        }

        public int getTokens() {
            return tokens;
        }

        public void setTokens(int tokens) {
            this.tokens = tokens;
        }
    }

    /**
     * One limit. A setting left out keeps the built-in limit's value of the same name; a new
     * limit must set its capacity and takes a 60s window unless it sets one.
     */
    public static class Limit {

        /**
         * Most tokens a bucket holds, and so the largest burst.
         */
        private Long capacity;

        /**
         * Time in which an empty bucket refills completely.
         */
        private Duration window;

        public Long getCapacity() {
            return capacity;
        }

        public void setCapacity(Long capacity) {
            this.capacity = capacity;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }
    }
}
