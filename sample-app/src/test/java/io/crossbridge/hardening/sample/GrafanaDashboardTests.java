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
 * sample really exposes at {@code /actuator/prometheus} after traffic and injected faults, so
 * that the dashboard cannot drift from the code. For every query of every panel: each metric it
 * names exists; each label a selector matches is on that metric, with the value an {@code =}
 * asks for; each label an aggregation keeps ({@code by (...)}) is on every metric inside it; and
 * each label the legend shows is kept by every aggregation. The traffic must also have moved the
 * meters it drives. The panels of the Redis store are checked on the {@code redis} profile with a
 * Redis that does not answer (so every decision is a store error); the others in memory, with a
 * retry budget.
 */
class GrafanaDashboardTests {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "crossbridge-hardening.json");

    private static final Pattern METRIC = Pattern.compile("\\bcrossbridge_[a-z_]+\\b");

    private static final Pattern SELECTOR = Pattern.compile("\\b(crossbridge_[a-z_]+)\\s*\\{([^}]*)}");

    private static final Pattern MATCHER = Pattern
            .compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static final Pattern GROUPING = Pattern.compile("\\bby\\s*\\(([^)]*)\\)\\s*\\(");

    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");

    private static final Pattern SCRAPED_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Added by Prometheus as it scrapes, not by the application. */
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyMetricAndLabelThePanelsQueryIsExposedAfterTrafficAndFaults() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
                .run("--server.port=0", "--crossbridge.hardening.health.interval=1h",
                        "--crossbridge.hardening.retry.budget.ratio=0.2")) {
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

            Map<String, List<Series>> scraped = scrape(port);
            List<String> checked = assertPanelsMatch(scraped, title -> !title.startsWith("Redis store:"));

            assertThat(checked).as("panels checked").hasSize(12);
            assertThat(sum(scraped, "crossbridge_ratelimit_requests_total", "outcome", "rejected")).isPositive();
            assertThat(sum(scraped, "crossbridge_retry_calls_total", "outcome", "success_with_retry")).isPositive();
            assertThat(sum(scraped, "crossbridge_retry_budget_retries_total", "outcome", "granted")).isPositive();
            assertThat(sum(scraped, "crossbridge_concurrency_calls_total", "outcome", "permitted")).isPositive();
            assertThat(sum(scraped, "crossbridge_health_check_seconds_count", "status", "healthy")).isPositive();
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

            Map<String, List<Series>> scraped = scrape(port);
            List<String> checked = assertPanelsMatch(scraped, title -> title.startsWith("Redis store:"));

            assertThat(checked).as("panels checked").hasSize(1);
            assertThat(sum(scraped, "crossbridge_ratelimit_store_errors_total", "kind", "connection")
                    + sum(scraped, "crossbridge_ratelimit_store_errors_total", "kind", "timeout")).isPositive();
        }
    }

    /** Checks every panel, rows' panels included, whose title {@code checks} accepts; returns their titles. */
    private static List<String> assertPanelsMatch(Map<String, List<Series>> scraped, Predicate<String> checks)
            throws IOException {
        List<Map<String, Object>> panels = JsonPath.read(Files.readString(DASHBOARD), "$..panels[?(@.targets)]");
        List<String> checked = new ArrayList<>();
        for (Map<String, Object> panel : panels) {
            String title = (String) panel.get("title");
            if (!checks.test(title)) {
                continue;
            }
            List<Map<String, Object>> targets = JsonPath.read(panel, "$.targets[*]");
            assertThat(targets).as("queries of '%s'", title).isNotEmpty();
            for (Map<String, Object> target : targets) {
                assertQueryMatches(scraped, title, (String) target.get("expr"), (String) target.get("legendFormat"));
            }
            checked.add(title);
        }
        return checked;
    }

    private static void assertQueryMatches(Map<String, List<Series>> scraped, String title, String expression,
            String legend) {
        Set<String> metrics = found(METRIC, expression, 0);
        assertThat(metrics).as("metrics of '%s'", title).isNotEmpty();
        for (String metric : metrics) {
            assertThat(scraped).as("'%s' queries %s", title, metric).containsKey(metric);
        }
        Matcher selector = SELECTOR.matcher(expression);
        while (selector.find()) {
            String metric = selector.group(1);
            Matcher matcher = MATCHER.matcher(selector.group(2));
            while (matcher.find()) {
                String label = matcher.group(1);
                assertThat(labelsOf(scraped, metric)).as("'%s' selects %s by '%s'", title, metric, label)
                        .contains(label);
                if (matcher.group(2).equals("=")) {
                    assertThat(scraped.get(metric)).as("'%s' selects %s{%s=\"%s\"}", title, metric, label,
                            matcher.group(3)).anyMatch(series -> matcher.group(3).equals(series.labels().get(label)));
                }
            }
        }
        List<Set<String>> keptByAggregations = new ArrayList<>();
        Matcher grouping = GROUPING.matcher(expression);
        while (grouping.find()) {
            Set<String> kept = labelList(grouping.group(1));
            keptByAggregations.add(kept);
            String inner = enclosed(expression, grouping.end() - 1);
            for (String metric : found(METRIC, inner, 0)) {
                assertThat(labelsOf(scraped, metric)).as("'%s' keeps %s of %s", title, kept, metric)
                        .containsAll(kept);
            }
        }
        Set<String> shown = found(LEGEND_LABEL, legend == null ? "" : legend, 1);
        shown.removeAll(SCRAPE_LABELS);
        for (String label : shown) {
            if (keptByAggregations.isEmpty()) {
                for (String metric : metrics) {
                    assertThat(labelsOf(scraped, metric)).as("'%s' shows '%s' of %s", title, label, metric)
                            .contains(label);
                }
            }
            for (Set<String> kept : keptByAggregations) {
                assertThat(kept).as("'%s' shows '%s', which an aggregation drops", title, label).contains(label);
            }
        }
    }

    /** The text inside the parenthesis that opens at {@code open}. */
    private static String enclosed(String expression, int open) {
        int depth = 0;
        for (int i = open; i < expression.length(); i++) {
            char c = expression.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0) {
                return expression.substring(open + 1, i);
            }
        }
        throw new AssertionError("unbalanced parentheses in " + expression);
    }

    private static Set<String> labelList(String list) {
        Set<String> labels = new HashSet<>();
        for (String label : list.split(",")) {
            if (!label.isBlank() && !SCRAPE_LABELS.contains(label.trim())) {
                labels.add(label.trim());
            }
        }
        return labels;
    }

    private static Set<String> labelsOf(Map<String, List<Series>> scraped, String metric) {
        Set<String> labels = new HashSet<>();
        scraped.getOrDefault(metric, List.of()).forEach(series -> labels.addAll(series.labels().keySet()));
        return labels;
    }

    private static Set<String> found(Pattern pattern, String text, int group) {
        Set<String> found = new HashSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(group));
        }
        return found;
    }

    private static double sum(Map<String, List<Series>> scraped, String metric, String label, String value) {
        return scraped.getOrDefault(metric, List.of()).stream()
                .filter(series -> value.equals(series.labels().get(label))).mapToDouble(Series::value).sum();
    }

    /** Each metric's series in the Prometheus text format: its labels and value. */
    private Map<String, List<Series>> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = send(port, "GET", "/actuator/prometheus", null, null);
        assertThat(response.statusCode()).as("/actuator/prometheus").isEqualTo(200);
        Map<String, List<Series>> metrics = new HashMap<>();
        for (String line : response.body().lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int end = brace >= 0 ? brace : line.indexOf(' ');
            int close = brace >= 0 ? line.lastIndexOf('}') : end;
            Map<String, String> labels = new HashMap<>();
            Matcher label = SCRAPED_LABEL.matcher(line.substring(end, close));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            double value = Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
            metrics.computeIfAbsent(line.substring(0, end), name -> new ArrayList<>()).add(new Series(labels, value));
        }
        return metrics;
    }

    private record Series(Map<String, String> labels, double value) {
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
