package io.crossbridge.hardening.benchmarks.http;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A WebFlux application on Netty for {@code scripts/webflux-load.sh}: a search, which the script
 * runs in one instance under a URL rule (set on the command line) and in another without the
 * starter's filter. Not a benchmark of its own: wrk drives it from outside.
 */
@SpringBootApplication
@RestController
public class WebFluxLoadApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(WebFluxLoadApplication.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        application.run(args);
    }

    /**
     * Removes the beans named in the {@code load.remove-beans} property (comma-separated), so the
     * script can tell what each of the starter's web beans costs a request.
     */
    @Bean
    static BeanDefinitionRegistryPostProcessor removeBeans(Environment environment) {
        return registry -> {
            for (String name : environment.getProperty("load.remove-beans", String[].class, new String[0])) {
                registry.removeBeanDefinition(name);
            }
        };
    }

    @GetMapping("/api/search")
    Mono<String> search(@RequestParam String q) {
        return Mono.just("results for " + q);
    }
}
