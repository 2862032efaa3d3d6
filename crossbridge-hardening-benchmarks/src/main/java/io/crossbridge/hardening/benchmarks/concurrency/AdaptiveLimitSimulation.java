package io.crossbridge.hardening.benchmarks.concurrency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A provider with a capacity of {@code capacity} calls in flight, offered more calls than it can
 * take, in front of an adaptive limit, on a simulated clock: deterministic for a seed, and minutes
 * of traffic in milliseconds.
 * <p>
 * The provider answers a call in its unloaded latency while at most {@code capacity} calls are in
 * flight; beyond, calls queue, and a call's latency grows with the calls in flight when it starts
 * ({@code unloaded * inFlight / capacity}), so the provider's throughput never exceeds
 * {@code capacity / unloaded}. Each latency varies by +-10% at random. Calls arrive at random
 * (Poisson) at {@code overload} times that throughput; a call the limit refuses is dropped. Half
 * way through, the capacity halves, and the same arrivals are then twice as many times its
 * throughput.
 */
public final class AdaptiveLimitSimulation {

    /** How often the series records the limit, the calls in flight and the latency. */
    public static final long POINT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Scenario scenario;

    public AdaptiveLimitSimulation(Scenario scenario) {
        this.scenario = scenario;
    }

    /**
     * What is simulated.
     *
     * @param capacity      calls in flight the provider takes without queueing, in the first phase
     * @param unloadedNanos the provider's latency without a queue
     * @param overload      offered calls per second, as a multiple of the provider's throughput
     * @param phaseNanos    how long each phase (full capacity, then half) lasts
     */
    public record Scenario(int capacity, long unloadedNanos, double overload, long phaseNanos, long seed) {

        /** The scenario: 32 calls, 100 ms, four times the throughput, two minutes a phase. */
        public static Scenario standard() {
            return new Scenario(32, TimeUnit.MILLISECONDS.toNanos(100), 4, TimeUnit.SECONDS.toNanos(120), 42);
        }
    }

    /** An adaptive limit under test: ours or a peer's, behind the same admission. */
    public interface Algorithm {

        String name();

        int limit();

        /**
         * One call ended.
         *
         * @param inFlightAtStart the calls in flight when it started, itself included (what
         *                        Netflix's limiters pass)
         * @param inFlightAtEnd   the calls in flight as it ends, itself included (what
         *                        crossbridge's limiter passes)
         */
        void onSample(long startNanos, long rttNanos, int inFlightAtStart, int inFlightAtEnd, boolean overloaded);
    }

    /** One point of the series. */
    public record Point(long timeNanos, int limit, int inFlight, double meanLatencyMillis) {
    }

    /**
     * What one phase showed.
     *
     * @param settleSample the ended calls of the phase after which the limit stayed within
     *                     [0.8, 1.3] times the capacity to the phase's end; -1 if it never did
     * @param goodput      ended calls per second from then to the phase's end, as a fraction of
     *                     the provider's throughput
     * @param p99Ratio     the 99th percentile latency of those calls over the unloaded latency
     * @param leastLimit   the least limit from the settle point on
     * @param mostLimit    the most limit from the settle point on
     * @param phase        the same figures over the whole phase, settled or not (its settle
     *                     sample 0)
     */
    public record Phase(int capacity, long samples, long settleSample, double goodput, double p99Ratio,
            int leastLimit, int mostLimit, Phase phase) {
    }

    public record Result(String algorithm, List<Phase> phases, List<Point> series) {
    }

    public Result run(Algorithm algorithm) {
        return new Run(algorithm).simulate();
    }

    /** The state of one simulation. */
    private final class Run {

        private final Algorithm algorithm;

        private final SplittableRandom random = new SplittableRandom(scenario.seed());

        private final PriorityQueue<long[]> calls = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));

        private final List<Point> series = new ArrayList<>();

        private int inFlight;

        private long pointLatencySum;

        private int pointLatencyCount;

        Run(Algorithm algorithm) {
            this.algorithm = algorithm;
        }

        Result simulate() {
            List<Phase> phases = new ArrayList<>();
            long now = 0;
            long nextPoint = POINT_NANOS;
            for (int phase = 0; phase < 2; phase++) {
                int capacity = phase == 0 ? scenario.capacity() : scenario.capacity() / 2;
                double arrivalsPerNano = scenario.overload() * scenario.capacity() / scenario.unloadedNanos();
                long start = now;
                long end = now + scenario.phaseNanos();
                PhaseLog log = new PhaseLog();
                long nextArrival = now + interval(arrivalsPerNano);
                while (true) {
                    long nextEnd = calls.isEmpty() ? Long.MAX_VALUE : calls.peek()[0];
                    long next = Math.min(Math.min(nextArrival, nextEnd), nextPoint);
                    if (next >= end) {
                        now = end;
                        break;
                    }
                    now = next;
                    if (next == nextPoint) {
                        series.add(new Point(now, algorithm.limit(), inFlight,
                                pointLatencyCount == 0 ? Double.NaN : pointLatencySum / 1e6 / pointLatencyCount));
                        pointLatencySum = 0;
                        pointLatencyCount = 0;
                        nextPoint += POINT_NANOS;
                    }
                    else if (next == nextEnd) {
                        long[] call = calls.poll();
                        long rtt = call[0] - call[1];
                        algorithm.onSample(call[1], rtt, (int) call[2], inFlight, false);
                        inFlight--;
                        pointLatencySum += rtt;
                        pointLatencyCount++;
                        log.ended(now, rtt, algorithm.limit());
                    }
                    else {
                        if (inFlight < algorithm.limit()) {
                            inFlight++;
                            double queueing = Math.max(1, (double) inFlight / capacity);
                            double jitter = 0.9 + 0.2 * random.nextDouble();
                            long latency = (long) (scenario.unloadedNanos() * queueing * jitter);
                            calls.add(new long[] {now + latency, now, inFlight});
                        }
                        nextArrival = now + interval(arrivalsPerNano);
                    }
                }
                phases.add(log.phase(capacity, start, end));
            }
            return new Result(algorithm.name(), phases, series);
        }

        private long interval(double perNano) {
            return Math.max(1, (long) (-Math.log(1 - random.nextDouble()) / perNano));
        }
    }

    /** The ended calls of one phase, to find where it settled and what it served from then on. */
    private final class PhaseLog {

        private long[] endTimes = new long[1 << 16];

        private long[] latencies = new long[1 << 16];

        private int[] limits = new int[1 << 16];

        private int count;

        void ended(long time, long latency, int limit) {
            if (count == endTimes.length) {
                endTimes = Arrays.copyOf(endTimes, count * 2);
                latencies = Arrays.copyOf(latencies, count * 2);
                limits = Arrays.copyOf(limits, count * 2);
            }
            endTimes[count] = time;
            latencies[count] = latency;
            limits[count] = limit;
            count++;
        }

        Phase phase(int capacity, long start, long end) {
            int settled = count;
            while (settled > 0 && limits[settled - 1] >= 0.8 * capacity && limits[settled - 1] <= 1.3 * capacity) {
                settled--;
            }
            Phase whole = figures(capacity, 0, start, end, null);
            if (settled == count) {
                return new Phase(capacity, count, -1, Double.NaN, Double.NaN, 0, 0, whole);
            }
            return figures(capacity, settled, settled == 0 ? start : endTimes[settled - 1], end, whole);
        }

        private Phase figures(int capacity, int settled, long from, long end, Phase whole) {
            double throughput = (double) capacity / scenario.unloadedNanos();
            double goodput = (count - settled) / ((end - from) * throughput);
            long[] served = Arrays.copyOfRange(latencies, settled, count);
            Arrays.sort(served);
            double p99 = served[(int) Math.min(served.length - 1, Math.ceil(served.length * 0.99) - 1)];
            int least = Integer.MAX_VALUE;
            int most = 0;
            for (int i = settled; i < count; i++) {
                least = Math.min(least, limits[i]);
                most = Math.max(most, limits[i]);
            }
            return new Phase(capacity, count, settled, goodput, p99 / scenario.unloadedNanos(), least, most, whole);
        }
    }
}
