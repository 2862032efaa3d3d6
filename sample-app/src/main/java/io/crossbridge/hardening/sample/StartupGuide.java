package io.crossbridge.hardening.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Prints, once the server is up, the URLs and {@code curl} lines to try.
 */
@Component
class StartupGuide implements ApplicationListener<ApplicationReadyEvent> {

    private static final Log logger = LogFactory.getLog(StartupGuide.class);

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web)) {
            return;
        }
        String base = "http://localhost:" + web.getWebServer().getPort();
        logger.info(String.join(System.lineSeparator(), "", "",
                "crossbridge-hardening sample is up at " + base + ". Try:",
                "  curl -i -H 'X-API-Key: alice' '" + base + "/api/search?q=cats'      # 30 per minute per key, then 429",
                "  curl -i -H 'X-API-Key: alice' -H 'Content-Type: application/json' -d '{\"texts\":[\"hello\"]}' " + base + "/api/embed",
                "  curl -i -H 'X-API-Key: alice' -H 'Content-Type: application/json' -d '{\"code\":\"print(1)\",\"target\":\"java\"}' " + base + "/api/transform",
                "  curl -i '" + base + "/api/search?q=cats'                            # no X-API-Key: 400",
                "  curl -X POST -H 'Content-Type: application/json' -d '{\"failureRate\":0.5}' " + base + "/demo/faults",
                "  curl -X POST -H 'Content-Type: application/json' -d '{\"rateLimitNext\":1,\"retryAfterSeconds\":1}' " + base + "/demo/faults  # a 429, waited for",
                "  curl -X POST -H 'Content-Type: application/json' -d '{\"outage\":true}' " + base + "/demo/faults",
                "  curl -X DELETE " + base + "/demo/faults                                   # recover",
                "  curl " + base + "/actuator/health                                     # UP, DEGRADED, DOWN",
                "  curl " + base + "/actuator/ratelimiters",
                "  curl " + base + "/actuator/retries",
                "  curl " + base + "/actuator/circuitbreakers                            # search falls back to the secondary while open",
                "  curl -X POST -H 'Content-Type: application/json' -d '{\"latencyMs\":1500}' " + base + "/demo/faults  # slow transforms",
                "  curl " + base + "/actuator/concurrency                                # the provider's limit falls with slow transforms, climbs under load",
                "  curl " + base + "/actuator/metrics/crossbridge.retry.calls", ""));
    }
}
