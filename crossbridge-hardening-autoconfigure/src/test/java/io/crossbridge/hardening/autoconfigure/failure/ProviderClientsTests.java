package io.crossbridge.hardening.autoconfigure.failure;

import io.crossbridge.hardening.annotation.RetryWithBackoff;
import io.crossbridge.hardening.autoconfigure.failure.ScriptedProvider.Step;
import io.crossbridge.hardening.autoconfigure.retry.RetryAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

import java.net.http.HttpClient.Version;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @RetryWithBackoff} around each of Spring's HTTP clients, calling a real provider on a
 * loopback port: for every status of the table, the requests the provider saw; the provider's
 * {@code Retry-After} in each form, timed by the provider; dropped connections and read timeouts.
 * Retries wait 1 ms unless the provider asks for more, so only the retry-after tests take time,
 * the time the provider asked for.
 */
class ProviderClientsTests {

    @RegisterExtension
    static final ScriptedProvider provider = new ScriptedProvider();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FailureClassificationAutoConfiguration.class, RetryAutoConfiguration.class))
            .withPropertyValues("crossbridge.hardening.retry.policies.provider.max-attempts=3",
                    "crossbridge.hardening.retry.policies.provider.base-delay=1ms",
                    "crossbridge.hardening.retry.policies.provider.max-delay=5s",
                    "crossbridge.hardening.retry.policies.provider.multiplier=1",
                    "crossbridge.hardening.retry.policies.provider.jitter=none")
            .withUserConfiguration(ClientsConfiguration.class);

    /** The table of DESIGN.md: status and the requests a call makes under a 3-attempt policy. */
    static Stream<Arguments> statusesByClient() {
        List<Integer> transientStatuses = List.of(408, 425, 429, 500, 502, 503, 504, 507, 599);
        List<Integer> permanentStatuses = List.of(400, 401, 403, 404, 409, 422, 501, 505);
        return Stream.of(Client.values()).flatMap(client -> Stream.concat(
                transientStatuses.stream().map(status -> Arguments.of(client, status, 3)),
                permanentStatuses.stream().map(status -> Arguments.of(client, status, 1))));
    }

    @ParameterizedTest(name = "{0} {1}: {2} requests")
    @MethodSource("statusesByClient")
    void everyStatusOfTheTableIsRetriedOrNotAsItSays(Client client, int status, int requests) {
        contextRunner.run(context -> {
            provider.script(Step.status(status));

            assertThatThrownBy(() -> client.call(context.getBean(ProviderClients.class)))
                    .satisfies(failure -> assertThat(statusOf(failure)).isEqualTo(status));
            assertThat(provider.requests()).isEqualTo(requests);
        });
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aTransientStatusThenASuccessAnswers(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.status(503), Step.status(429), Step.ok());

            assertThat(client.call(context.getBean(ProviderClients.class))).isEqualTo("answer");
            assertThat(provider.requests()).isEqualTo(3);
        });
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aBadRequestIsRethrownUnchangedAfterOneRequest(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.status(400));

            assertThatThrownBy(() -> client.call(context.getBean(ProviderClients.class)))
                    .satisfies(failure -> {
                        assertThat(failure.getClass().getSimpleName()).isEqualTo("BadRequest");
                        assertThat(failure.getSuppressed()).as("no earlier attempt to add")
                                .allMatch(suppressed -> !(suppressed instanceof RestClientResponseException
                                        || suppressed instanceof WebClientResponseException));
                    });
            assertThat(provider.requests()).isEqualTo(1);
        });
    }

    /**
     * Two dropped connections, then the answer. HttpURLConnection (under this RestTemplate) sends
     * a GET again by itself once when the connection drops before the status line, so there the
     * starter's retry makes 2 attempts of the 3 requests; the other clients make 3. Either way the
     * call succeeds only through a retry of the starter's, which the meter shows.
     */
    @ParameterizedTest
    @EnumSource(Client.class)
    void aDroppedConnectionIsRetried(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.dropConnection(), Step.dropConnection(), Step.ok());

            assertThat(client.call(context.getBean(ProviderClients.class))).isEqualTo("answer");
            assertThat(provider.requests()).isEqualTo(3);
            assertThat(calls(context, "success_with_retry")).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aReadTimeoutIsRetried(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.neverAnswer(), Step.ok());

            assertThat(client.call(context.getBean(ProviderClients.class))).isEqualTo("answer");
            assertThat(provider.requests()).isEqualTo(2);
            assertThat(calls(context, "success_with_retry")).isEqualTo(1);
        });
    }

    @org.junit.jupiter.api.Test
    void aPolicysAbortOnWinsOverTheTable() {
        contextRunner.run(context -> {
            provider.script(Step.status(503));

            assertThatThrownBy(() -> context.getBean(ProviderClients.class).restClientNeverRetrying503())
                    .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
            assertThat(provider.requests()).isEqualTo(1);
        });
    }

    @org.junit.jupiter.api.Test
    void anAsyncCallWaitsForRetryAfterWithoutBlocking() {
        contextRunner.run(context -> {
            provider.script(Step.status(429, "Retry-After", "1"), Step.ok());

            CompletableFuture<String> answer = context.getBean(ProviderClients.class).webClientAsync();

            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
            List<Instant> arrivals = provider.arrivals();
            assertThat(Duration.between(arrivals.get(0), arrivals.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
    }

    @org.junit.jupiter.api.Test
    void aRetryAfterLongerThanWhatIsLeftOfMaxElapsedStopsAtOnce() {
        contextRunner.run(context -> {
            provider.script(Step.status(503, "Retry-After", "2"));

            assertThatThrownBy(() -> context.getBean(ProviderClients.class).restClientWithinASecond())
                    .satisfies(failure -> assertThat(statusOf(failure)).isEqualTo(503));
            assertThat(provider.requests()).isEqualTo(1);
            assertThat(calls(context, "failed_retry_after_too_long")).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void retryAfterInDeltaSecondsIsWaitedFor(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.status(429, "Retry-After", "1"), Step.ok());

            assertThat(client.call(context.getBean(ProviderClients.class))).isEqualTo("answer");
            List<Instant> arrivals = provider.arrivals();
            assertThat(Duration.between(arrivals.get(0), arrivals.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
    }

    @ParameterizedTest
    @EnumSource(value = Client.class, names = { "REST_CLIENT", "WEB_CLIENT" })
    void retryAfterAsAnHttpDateIsWaitedFor(Client client) {
        contextRunner.run(context -> {
            // Whole seconds, as HTTP-dates are: 2 to 3 s from now.
            Instant comeBack = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
            String date = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                    .format(comeBack.atOffset(ZoneOffset.UTC));
            provider.script(Step.status(503, "Retry-After", date), Step.ok());

            assertThat(client.call(context.getBean(ProviderClients.class))).isEqualTo("answer");
            // The wait is measured on the wall clock and slept on the monotonic one: allow their
            // drift over 3 s.
            assertThat(provider.arrivals().get(1)).isAfterOrEqualTo(comeBack.minusMillis(5));
        });
    }

    @ParameterizedTest
    @EnumSource(value = Client.class, names = { "REST_TEMPLATE", "WEB_CLIENT" })
    void retryAfterInMillisecondsIsWaitedFor(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.status(429, "retry-after-ms", "300"), Step.ok());

            assertThat(client.call(context.getBean(ProviderClients.class))).isEqualTo("answer");
            List<Instant> arrivals = provider.arrivals();
            assertThat(Duration.between(arrivals.get(0), arrivals.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        });
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aRetryAfterLongerThanMaxDelayStopsAtOnceAndTheMeterSaysWhy(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.status(429, "Retry-After", "3600"));

            assertThatThrownBy(() -> client.call(context.getBean(ProviderClients.class)))
                    .satisfies(failure -> assertThat(statusOf(failure)).isEqualTo(429));
            assertThat(provider.requests()).isEqualTo(1);
            assertThat(calls(context, "failed_retry_after_too_long")).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void garbageRetryAfterFallsBackToTheBackoff(Client client) {
        contextRunner.run(context -> {
            provider.script(Step.status(503, "Retry-After", "soon"), Step.status(503, "Retry-After", "-5"),
                    Step.status(503, "Retry-After", "Mon, 01 Jan 2001 00:00:00 GMT"));

            assertThatThrownBy(() -> client.call(context.getBean(ProviderClients.class)))
                    .satisfies(failure -> assertThat(statusOf(failure)).isEqualTo(503));
            assertThat(provider.requests()).as("all 3 attempts, none stopped by a misread hint").isEqualTo(3);
            List<Instant> arrivals = provider.arrivals();
            assertThat(Duration.between(arrivals.get(0), arrivals.get(2))).as("1 ms waits, none of them misread")
                    .isLessThan(Duration.ofSeconds(2));
        });
    }

    /** Calls of every method of this context that ended with {@code outcome}. */
    static double calls(org.springframework.context.ApplicationContext context, String outcome) {
        return context.getBean(MeterRegistry.class).find("crossbridge.retry.calls").tag("outcome", outcome).counters()
                .stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    static int statusOf(Throwable failure) {
        if (failure instanceof RestClientResponseException response) {
            return response.getStatusCode().value();
        }
        if (failure instanceof WebClientResponseException response) {
            return response.getStatusCode().value();
        }
        throw new AssertionError("not an error response", failure);
    }

    /** The four ways an application calls a provider over HTTP with Spring. */
    enum Client {

        REST_CLIENT(ProviderClients::restClient), REST_TEMPLATE(ProviderClients::restTemplate),
        HTTP_INTERFACE(ProviderClients::httpInterface), WEB_CLIENT(ProviderClients::webClient);

        private final Function<ProviderClients, String> call;

        Client(Function<ProviderClients, String> call) {
            this.call = call;
        }

        String call(ProviderClients clients) {
            return call.apply(clients);
        }
    }

    interface ProviderApi {

        @GetExchange("/complete")
        String complete();
    }

    static class ProviderClients {

        private static final Duration READ_TIMEOUT = Duration.ofMillis(500);

        private final RestClient restClient;

        private final RestTemplate restTemplate;

        private final ProviderApi api;

        private final WebClient webClient;

        ProviderClients(String url) {
            JdkClientHttpRequestFactory jdk = new JdkClientHttpRequestFactory(
                    java.net.http.HttpClient.newBuilder().version(Version.HTTP_1_1).build());
            jdk.setReadTimeout(READ_TIMEOUT);
            restClient = RestClient.builder().baseUrl(url).requestFactory(jdk).build();
            SimpleClientHttpRequestFactory simple = new SimpleClientHttpRequestFactory();
            simple.setReadTimeout(READ_TIMEOUT);
            restTemplate = new RestTemplate(simple);
            restTemplate.setUriTemplateHandler(new org.springframework.web.util.DefaultUriBuilderFactory(url));
            api = HttpServiceProxyFactory.builderFor(RestClientAdapter.create(restClient)).build().createClient(ProviderApi.class);
            // Reactor Netty's own retry of a dropped request is off: the starter's retry is the subject.
            webClient = WebClient.builder().baseUrl(url).clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000).responseTimeout(READ_TIMEOUT).disableRetry(true)))
                    .build();
        }

        @RetryWithBackoff(policy = "provider")
        public String restClient() {
            return restClient.get().uri("/complete").retrieve().body(String.class);
        }

        @RetryWithBackoff(policy = "provider")
        public String restTemplate() {
            return restTemplate.getForObject("/complete", String.class);
        }

        @RetryWithBackoff(policy = "provider")
        public String httpInterface() {
            return api.complete();
        }

        @RetryWithBackoff(policy = "provider")
        public String webClient() {
            return webClient.get().uri("/complete").retrieve().bodyToMono(String.class).block();
        }

        @RetryWithBackoff(policy = "provider")
        public CompletableFuture<String> webClientAsync() {
            return webClient.get().uri("/complete").retrieve().bodyToMono(String.class).toFuture();
        }

        @RetryWithBackoff(policy = "provider", abortOn = HttpServerErrorException.ServiceUnavailable.class)
        public String restClientNeverRetrying503() {
            return restClient();
        }

        @RetryWithBackoff(policy = "provider", maxElapsed = "1s")
        public String restClientWithinASecond() {
            return restClient();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ClientsConfiguration {

        @Bean
        ProviderClients providerClients() {
            return new ProviderClients(provider.url());
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
