package io.crossbridge.hardening.benchmarks.concurrency;

import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Phase;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Point;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Result;
import io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitSimulation.Scenario;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

/**
 * Runs {@link AdaptiveLimitSimulation}'s standard scenario for every limit in
 * {@link SimulatedLimits}, prints the figures as a Markdown table and draws the series (limit, calls
 * in flight and latency over time, one panel per limit) into a PNG. Run it with
 * {@code java -cp crossbridge-hardening-benchmarks/target/benchmarks.jar
 * io.crossbridge.hardening.benchmarks.concurrency.AdaptiveLimitReport docs/adaptive-limits.png}.
 */
public final class AdaptiveLimitReport {

    private static final int WIDTH = 1200;

    private static final int PANEL_HEIGHT = 260;

    private static final int MARGIN = 60;

    private AdaptiveLimitReport() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Scenario scenario = Scenario.standard();
        AdaptiveLimitSimulation simulation = new AdaptiveLimitSimulation(scenario);
        List<Result> results = new ArrayList<>();
        for (AdaptiveLimitSimulation.Algorithm algorithm : SimulatedLimits.all(scenario)) {
            results.add(simulation.run(algorithm));
        }
        System.out.println(table(results));
        if (args.length > 0) {
            draw(results, scenario, new File(args[0]));
            System.out.println("plot written to " + args[0]);
        }
    }

    /** The figures of every limit, one row per limit and phase. */
    public static String table(List<Result> results) {
        StringBuilder table = new StringBuilder("| limit | capacity | settled after (calls) | limit since | goodput since "
                + "| p99 / unloaded since | limit over the phase | goodput over the phase | p99 / unloaded over the phase |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result result : results) {
            for (Phase phase : result.phases()) {
                Phase whole = phase.phase();
                String settled = phase.settleSample() < 0 ? "never | - | - | -"
                        : String.format(Locale.ROOT, "%,d | %d-%d | %.1f%% | %.2f", phase.settleSample(),
                                phase.leastLimit(), phase.mostLimit(), 100 * phase.goodput(), phase.p99Ratio());
                table.append(String.format(Locale.ROOT, "| %s | %d | %s | %d-%d | %.1f%% | %.2f |%n", result.algorithm(),
                        phase.capacity(), settled, whole.leastLimit(), whole.mostLimit(), 100 * whole.goodput(),
                        whole.p99Ratio()));
            }
        }
        return table.toString();
    }

    static void draw(List<Result> results, Scenario scenario, File file) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, PANEL_HEIGHT * results.size(), BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = image.createGraphics();
        // Without antialiasing the plot keeps to a few colours, which keeps the PNG small.
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        double seconds = 2.0 * scenario.phaseNanos() / 1e9;
        double mostCalls = 2.5 * scenario.capacity();
        double mostMillis = 4.0 * scenario.unloadedNanos() / 1e6;
        for (int i = 0; i < results.size(); i++) {
            Result result = results.get(i);
            int top = i * PANEL_HEIGHT + 30;
            int bottom = (i + 1) * PANEL_HEIGHT - 30;
            int left = MARGIN;
            int right = WIDTH - MARGIN;
            g.setColor(Color.BLACK);
            g.drawString(result.algorithm() + "  (blue: limit, grey: calls in flight, both left axis 0-"
                    + (int) mostCalls + "; red: mean latency, right axis 0-" + (int) mostMillis
                    + " ms; dashed: the provider's capacity)", left, top - 10);
            g.drawRect(left, top, right - left, bottom - top);
            for (int s = 0; s <= seconds; s += 30) {
                int x = left + (int) ((right - left) * s / seconds);
                g.drawString(s + " s", x - 10, bottom + 15);
            }
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 6}, 0));
            int half = left + (right - left) / 2;
            int full = bottom - (int) ((bottom - top) * scenario.capacity() / mostCalls);
            int halved = bottom - (int) ((bottom - top) * (scenario.capacity() / 2) / mostCalls);
            g.drawLine(left, full, half, full);
            g.drawLine(half, halved, right, halved);
            g.setStroke(new BasicStroke(1));
            line(g, result.series(), Color.LIGHT_GRAY, Point::inFlight, mostCalls, seconds, left, right, top, bottom);
            line(g, result.series(), new Color(200, 40, 40), Point::meanLatencyMillis, mostMillis, seconds, left, right, top, bottom);
            line(g, result.series(), new Color(30, 80, 200), Point::limit, mostCalls, seconds, left, right, top, bottom);
        }
        g.dispose();
        ImageIO.write(image, "png", file);
    }

    private static void line(Graphics2D g, List<Point> series, Color color, ToDoubleFunction<Point> value,
            double most, double seconds, int left, int right, int top, int bottom) {
        g.setColor(color);
        int lastX = -1;
        int lastY = -1;
        for (Point point : series) {
            double v = value.applyAsDouble(point);
            if (Double.isNaN(v)) {
                continue;
            }
            int x = left + (int) ((right - left) * (point.timeNanos() / 1e9) / seconds);
            int y = bottom - (int) ((bottom - top) * Math.min(v, most) / most);
            if (lastX >= 0) {
                g.drawLine(lastX, lastY, x, y);
            }
            lastX = x;
            lastY = y;
        }
    }
}
