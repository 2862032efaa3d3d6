package io.crossbridge.hardening.sample;

import com.jayway.jsonpath.JsonPath;
import io.crossbridge.hardening.health.HealthRegistry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard ({@code docs/grafana/crossbridge-hardening.json}) against what the
 * sample really exposes at {@code /actuator/prometheus} after traffic and injected faults:
 * every metric each panel queries exists, and so does every label it groups or filters by, so
 * that the dashboard cannot drift from the code. The panels of the Redis store are checked on
 * the {@code redis} profile with a Redis that does not answer (every decision is then a store
 * error); the others in memory.
 */
class GrafanaDashboardTests {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "crossbridge-hardening.json");

    private static final Pattern METRIC = Pattern.compile("\\bcrossbridge_[a-z_]+\\b");

    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");

    private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)}");

    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");

    private static final Pattern SCRAPED_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    /** Added by Prometheus as it scrapes, not by the application. */
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyMetricAndLabelThePanelsQueryIsExposedAfterTrafficAndFaults() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
                .run("--server.port=0", "--crossbridge.hardening.health.interval=1h")) {
            int port = port(context);
            for (int search = 0; search < 31; search++) {
                send(port, "GET", "/api/search?q=rate", "alice", null);
            }
            send(port, "POST", "/demo/faults", null, "{\"failNext\": 2}");
            send(port, "POST", "/api/embed", "dave", "{\"texts\":[\"hello\"]}");
            send(port, "POST", "/demo/faults", null, "{\"outage\": true}");
            send(port, "GET", "/api/search?q=down", "erin", null);
            send(port, "DELETE", "/demo/faults", null, null);
            send(port, "POST", "/api/transform", "frank", "{\"code\":\"print(1)\",\"target\":\"java\"}");
            context.getBean(HealthRegistry.class).runAll();

            List<String> checked = assertPanelsMatch(scrape(port), title -> !title.startsWith("Redis store:"));

            assertThat(checked).as("panels checked").hasSizeGreaterThanOrEqualTo(12);
        }
    }

    @Test
    void theRedisStorePanelsMatchWhatTheRedisStoreExposes() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
                .profiles("redis")
                .run("--server.port=0", "--spring.data.redis.url=redis://127.0.0.1:" + closedPort(),
                        "--spring.data.redis.connect-timeout=200ms", "--crossbridge.hardening.health.interval=1h")) {
            int port = port(context);
            send(port, "GET", "/api/search?q=rate", "alice", null);

            List<String> checked = assertPanelsMatch(scrape(port), title -> title.startsWith("Redis store:"));

            assertThat(checked).as("panels checked").isNotEmpty();
        }
    }

    /** Checks every panel whose title {@code checks} accepts; returns their titles. */
    private static List<String> assertPanelsMatch(Map<String, Set<String>> scraped, Predicate<String> checks)
            throws IOException {
        String dashboard = Files.readString(DASHBOARD);
        List<Map<String, Object>> panels = JsonPath.read(dashboard, "$.panels[?(@.targets)]");
        List<String> checked = new ArrayList<>();
        for (Map<String, Object> panel : panels) {
            String title = (String) panel.get("title");
            if (!checks.test(title)) {
                continue;
            }
            List<String> expressions = JsonPath.read(panel, "$.targets[*].expr");
            assertThat(expressions).as("queries of '%s'", title).isNotEmpty();
            for (String expression : expressions) {
                Set<String> metrics = matches(METRIC, expression);
                assertThat(metrics).as("metrics of '%s'", title).isNotEmpty();
                for (String metric : metrics) {
                    assertThat(scraped).as("'%s' queries %s", title, metric).containsKey(metric);
                }
                for (String label : labels(expression)) {
                    assertThat(metrics.stream().anyMatch(metric -> scraped.get(metric).contains(label)))
                            .as("'%s' groups or filters %s by '%s', which none of them has", title, metrics, label)
                            .isTrue();
                }
            }
            checked.add(title);
        }
        return checked;
    }

    /** The labels an expression groups by or matches on, those Prometheus adds left out. */
    private static Set<String> labels(String expression) {
        Set<String> labels = new HashSet<>();
        Matcher grouping = GROUPING.matcher(expression);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        Matcher selector = SELECTOR.matcher(expression);
        while (selector.find()) {
            labels.addAll(matches(MATCHER, selector.group(1)));
        }
        labels.removeAll(SCRAPE_LABELS);
        return labels;
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new HashSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.groupCount() > 0 ? matcher.group(1) : matcher.group());
        }
        return found;
    }

    /** Each metric's name in the Prometheus text format, with the names of the labels it carries. */
    private Map<String, Set<String>> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = send(port, "GET", "/actuator/prometheus", null, null);
        assertThat(response.statusCode()).as("/actuator/prometheus").isEqualTo(200);
        Map<String, Set<String>> metrics = new HashMap<>();
        for (String line : response.body().lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            Set<String> labels = metrics.computeIfAbsent(line.substring(0, end), name -> new HashSet<>());
            if (line.charAt(end) == '{') {
                labels.addAll(matches(SCRAPED_LABEL, line.substring(end, line.lastIndexOf('}') + 1)));
            }
        }
        return metrics;
    }

    private HttpResponse<String> send(int port, String method, String path, String apiKey, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** A port nothing listens on: the one a server socket had, closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
