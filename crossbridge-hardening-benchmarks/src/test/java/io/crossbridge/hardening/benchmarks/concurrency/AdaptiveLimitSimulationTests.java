package io.crossbridge.hardening.benchmarks.concurrency;

import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Algorithm;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Phase;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Result;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Scenario;
import io.crossbridge.hardening.concurrency.GradientLimit;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario for the adaptive limits: a provider of 32 calls in flight offered four
 * times its throughput, its capacity halved half way through. The bounds are the issue's; the
 * numbers of calls within which the limit must settle and follow are ours, a few times what the
 * standard run takes (213 and 101 calls), so that another seed's noise does not fail them.
 */
class AdaptiveLimitSimulationTests {

    private static final int SETTLE_WITHIN = 1_000;

    @ParameterizedTest
    @ValueSource(longs = {42, 1, 2, 3, 4})
    void theGradientLimitSettlesNearTheCapacityAndFollowsItWhenItHalves(long seed) {
        Scenario standard = Scenario.standard();
        Scenario scenario = new Scenario(standard.capacity(), standard.unloadedNanos(), standard.overload(),
                standard.phaseNanos(), seed);

        Result result = new AdaptiveLimitSimulation(scenario).run(SimulatedLimits.ours("gradient", new GradientLimit(10, 1, 256)));

        for (Phase phase : result.phases()) {
            assertThat(phase.settleSample()).as("calls until the limit stays within [0.8, 1.3] x %d", phase.capacity())
                    .isBetween(0L, (long) SETTLE_WITHIN);
            assertThat(phase.leastLimit()).isGreaterThanOrEqualTo((int) Math.ceil(0.8 * phase.capacity()));
            assertThat(phase.mostLimit()).isLessThanOrEqualTo((int) (1.3 * phase.capacity()));
            assertThat(phase.goodput()).as("goodput, of the provider's throughput").isGreaterThanOrEqualTo(0.9);
            assertThat(phase.p99Ratio()).as("p99 latency of admitted calls, of the unloaded latency").isLessThanOrEqualTo(2.0);
        }
    }

    /**
     * Netflix's limits in the same run, the peers: the gradient limit settles no later and serves
     * no less than Gradient2; the AIMD limit serves no less than Netflix's. AIMD backs off on
     * timeouts only (here at twice the unloaded latency), so neither settles within [0.8, 1.3]
     * times the capacity by design, and their settling is not compared.
     */
    @Test
    void oursMatchOrBeatNetflixsOnSettlingAndGoodput() {
        Scenario scenario = Scenario.standard();
        AdaptiveLimitSimulation simulation = new AdaptiveLimitSimulation(scenario);
        List<Result> results = new ArrayList<>();
        for (Algorithm algorithm : SimulatedLimits.all(scenario)) {
            results.add(simulation.run(algorithm));
        }
        System.out.println(AdaptiveLimitReport.table(results));

        assertMatchesOrBeats(results.get(0), results.get(1), true);
        assertMatchesOrBeats(results.get(2), results.get(3), false);
    }

    private static void assertMatchesOrBeats(Result ours, Result peer, boolean settling) {
        for (int i = 0; i < ours.phases().size(); i++) {
            Phase mine = ours.phases().get(i);
            Phase theirs = peer.phases().get(i);
            if (settling) {
                assertThat(mine.settleSample()).as("%s settles in phase %d", ours.algorithm(), i + 1).isNotNegative();
            }
            if (settling && theirs.settleSample() >= 0) {
                assertThat(mine.settleSample()).as("%s against %s, phase %d", ours.algorithm(), peer.algorithm(), i + 1)
                        .isBetween(0L, theirs.settleSample());
            }
            assertThat(mine.phase().goodput()).as("%s against %s, goodput of phase %d", ours.algorithm(), peer.algorithm(), i + 1)
                    .isGreaterThanOrEqualTo(theirs.phase().goodput() - 0.005);
        }
    }
}
