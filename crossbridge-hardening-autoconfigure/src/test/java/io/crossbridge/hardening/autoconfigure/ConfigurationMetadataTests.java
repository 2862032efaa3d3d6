package io.crossbridge.hardening.autoconfigure;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata IDEs read, as the build generates it: every key described, every key with a
 * single value documented with its default, and the enumerated values hinted.
 */
class ConfigurationMetadataTests {

    private final DocumentContext metadata = read();

    @Test
    void everyPropertyHasADescription() {
        List<Map<String, Object>> properties = metadata.read("$.properties[*]");
        assertThat(properties).hasSizeGreaterThan(10)
                .allSatisfy(property -> assertThat(property.get("description")).as(property.get("name").toString())
                        .isInstanceOf(String.class));
    }

    @Test
    void everyPropertyButTheNamedEntriesAndRulesHasADefault() {
        List<Map<String, Object>> properties = metadata.read("$.properties[*]");
        // The budget is off unless a ratio is set, the proxy's header unused unless named: no
        // default is their default.
        List<String> offUnlessSet = List.of("crossbridge.hardening.retry.budget.ratio",
                "crossbridge.hardening.rate-limit.client-address.header");
        assertThat(properties).filteredOn(property -> !property.get("type").toString().startsWith("java.util.Map")
                && !property.get("type").toString().startsWith("java.util.List")
                && !offUnlessSet.contains(property.get("name").toString()))
                .allSatisfy(property -> assertThat(property).as(property.get("name").toString())
                        .containsKey("defaultValue"));
    }

    @Test
    void orderDefaultsAreTheAdviceOrderConstants() {
        assertThat(metadata.<List<Integer>>read("$.properties[?(@.name == 'crossbridge.hardening.rate-limit.order')].defaultValue"))
                .containsExactly(AdviceOrder.RATE_LIMIT);
        assertThat(metadata.<List<Integer>>read("$.properties[?(@.name == 'crossbridge.hardening.retry.order')].defaultValue"))
                .containsExactly(AdviceOrder.RETRY);
        assertThat(metadata.<List<Integer>>read(
                "$.properties[?(@.name == 'crossbridge.hardening.circuit-breaker.order')].defaultValue"))
                .containsExactly(AdviceOrder.CIRCUIT_BREAKER);
        assertThat(metadata.<List<Integer>>read(
                "$.properties[?(@.name == 'crossbridge.hardening.concurrency.order')].defaultValue"))
                .containsExactly(AdviceOrder.CONCURRENCY);
    }

    @Test
    void enumeratedValuesAndBuiltInNamesAreHinted() {
        assertThat(hintValues("crossbridge.hardening.rate-limit.store")).containsExactly("memory", "redis");
        assertThat(hintValues("crossbridge.hardening.rate-limit.redis.on-failure")).containsExactly("allow", "deny");
        assertThat(hintValues("crossbridge.hardening.rate-limit.limits.keys")).containsExactly("search", "embed",
                "transform", "health");
        assertThat(hintValues("crossbridge.hardening.retry.policies.keys")).containsExactly("aggressive",
                "conservative", "quick", "default");
    }

    @Test
    void readmePropertyReferenceListsExactlyTheConfiguredKeys() throws IOException {
        List<String> documented = Files.readAllLines(Path.of("../README.md")).stream()
                .filter(line -> line.startsWith("| `crossbridge.hardening."))
                .map(line -> line.substring(3, line.indexOf('`', 3))).toList();
        List<String> configured = metadata.<List<String>>read("$.properties[*].name").stream()
                .filter(name -> name.startsWith("crossbridge.hardening.")).toList();

        assertThat(documented).containsExactlyInAnyOrderElementsOf(configured);
    }

    private List<String> hintValues(String name) {
        return metadata.read("$.hints[?(@.name == '" + name + "')].values[*].value");
    }

    private static DocumentContext read() {
        try (InputStream in = ConfigurationMetadataTests.class
                .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            return JsonPath.parse(in);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
