package io.jasyncio.benchmarks;

import io.jasyncio.benchmarks.Results.Summary;
import io.jasyncio.benchmarks.Runner.SystemSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The results of one run as a Markdown table and an SVG bar chart. Each row is one figure of one
 * workload: every system's median [min–max], jasyncio's median divided by the best other system's,
 * and the target for it, met or missed (judged on jasyncio woven by the plugin, or under
 * the agent for the agent's start-up).
 */
final class Report {
    /** The README's lines between which {@link #copyTableInto} puts the table. */
    static final String BEGIN = "<!-- benchmarks:table:begin -->";
    static final String END = "<!-- benchmarks:table:end -->";

    /** The rows of the table, in order. */
    static final List<Figure> FIGURES = List.of(
            new Figure("switch", "switch", "ns per switch", true, "≤ 20 ns"),
            new Figure("spawn", "spawn", "ns per task", true, "≤ 300 ns"),
            new Figure("sleepers.bytes", "sleepers", "heap bytes per parked task", true, "≤ 100 B"),
            new Figure("sleepers.ms", "sleepers", "wall ms (each task sleeps 1 s)", true, ""),
            new Figure("deep.1", "deep, depth 1", "ns per park", true, ""),
            new Figure("deep.10", "deep, depth 10", "ns per park", true, ""),
            new Figure("deep.100", "deep, depth 100", "ns per park", true, "≤ 30 ns and ≤ 1.5 × depth 1"),
            new Figure("nopark.ns", "no-park call", "ns per call", true, "≤ 2 × plain call"),
            new Figure("nopark.bytes", "no-park call", "bytes allocated per call", true, "0 B"),
            new Figure("udp.1", "udp echo, C = 1", "requests per second", false, "≥ 90 % of NIO loop"),
            new Figure("udp.64", "udp echo, C = 64", "requests per second", false, "≥ 90 % of NIO loop"),
            new Figure("startup", "agent start-up", "ms added to the generated program", true, "≤ 20 ms"),
            new Figure("timeouts", "a day of timeouts, virtual time", "wall ms (1,000 tasks × 1,440 one-minute timeouts)",
                    true, ""));

    private final Results results;
    private final String machine;
    private final List<String> notes;
    private final boolean full;

    Report(Results results, String machine, List<String> notes, boolean full) {
        this.results = results;
        this.machine = machine;
        this.notes = notes;
        this.full = full;
    }

    /** Writes the values, the machine line and the notes to {@code file}, tab-separated, for {@link #read}. */
    void write(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("#machine\t").append(machine).append('\n');
        for (String note : notes) {
            out.append("#note\t").append(note).append('\n');
        }
        results.forEach((figure, system, value) -> out.append(figure).append('\t').append(system).append('\t')
                .append(value).append('\n'));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out);
    }

    /** The report of the values {@link #write} kept in {@code file}. */
    static Report read(Path file, boolean full) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no " + file + ": --mode=report needs the values of a full run there");
        }
        Results results = new Results();
        String machine = "";
        List<String> notes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("#machine")) {
                machine = fields[1];
            } else if (fields[0].equals("#note")) {
                notes.add(fields[1]);
            } else if (fields.length == 3) {
                results.add(fields[0], fields[1], Double.parseDouble(fields[2]));
            }
        }
        return new Report(results, machine, notes, full);
    }

    /** Every value measured. */
    Results results() {
        return results;
    }

    /** One row: a figure of a workload, whether lower values are better, and the target ("" if none). */
    record Figure(String key, String workload, String figure, boolean lowerIsBetter, String target) {}

    private static String jasyncioSystem(Figure figure) {
        return figure.key().equals("startup") ? "agent" : "plugin";
    }

    private double median(String figure, String system) {
        return results.summary(figure, system).map(Summary::median).orElse(Double.NaN);
    }

    /** The best median among the systems that are not jasyncio, if any was measured. */
    Optional<Double> bestOther(Figure figure) {
        Optional<Double> best = Optional.empty();
        for (SystemSpec system : Runner.SYSTEMS) {
            if (system.key().equals("plugin") || system.key().equals("agent")) {
                continue;
            }
            Optional<Summary> summary = results.summary(figure.key(), system.key());
            if (summary.isPresent()) {
                double value = summary.get().median();
                if (best.isEmpty() || (figure.lowerIsBetter() ? value < best.get() : value > best.get())) {
                    best = Optional.of(value);
                }
            }
        }
        return best;
    }

    /** "met", "missed", or "" when the figure has no target or was not measured. */
    String verdict(Figure figure) {
        double value = median(figure.key(), jasyncioSystem(figure));
        if (figure.target().isEmpty() || Double.isNaN(value)) {
            return "";
        }
        boolean met;
        switch (figure.key()) {
            case "switch": met = value <= 20; break;
            case "spawn": met = value <= 300; break;
            case "sleepers.bytes": met = value <= 100; break;
            case "deep.100": met = value <= 30 && value <= 1.5 * median("deep.1", "plugin"); break;
            case "nopark.ns": met = value <= 2 * median("nopark.ns", "reference"); break;
            case "nopark.bytes": met = value < 0.5; break;
            case "udp.1":
            case "udp.64": met = value >= 0.9 * median(figure.key(), "reference"); break;
            case "startup": met = value <= 20; break;
            default: throw new IllegalStateException("no target rule for " + figure.key());
        }
        return met ? "met" : "missed";
    }

    /** The whole RESULTS.md. */
    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# jasyncio benchmarks\n\n");
        if (!full) {
            out.append("**Smoke run: every workload once at tiny size; these figures mean nothing.**\n\n");
        }
        out.append(table());
        out.append("\n");
        for (String note : notes) {
            out.append("- ").append(note).append('\n');
        }
        out.append("- Cells: median [min–max] over every measured run. Ratio: jasyncio (plugin; for start-up, "
                + "agent) ÷ the best other system; below 1 is better for times and bytes, above 1 for requests per "
                + "second. Virtual threads yield with `Thread.yield()`; platform threads' switch is a park/unpark "
                + "hand-over, and their heap figure leaves out their stacks, which are not on the heap. Kotlin runs in "
                + "`runBlocking`, except udp echo, which runs on a single-threaded selector dispatcher written here "
                + "(kotlinx-coroutines-core has no sockets), and a day of timeouts, which runs in kotlinx-coroutines-test's `runTest` "
                + "against jasyncio's `AsyncTestRunner`, both on a virtual clock (threads have none). Start-up: the median over rounds of (time with the agent − "
                + "time without) for whole JVM runs of a program of 2,000 generated classes; the reference column is a "
                + "no-op agent, the floor for any agent.\n");
        out.append("\n![chart](chart.svg)\n");
        return out.toString();
    }

    /** The machine line and the table, as the README shows them. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("Machine: ").append(machine).append("\n\n");
        out.append("| workload | figure |");
        for (SystemSpec system : Runner.SYSTEMS) {
            out.append(' ').append(system.label()).append(" |");
        }
        out.append(" jasyncio ÷ best other | target |\n");
        out.append("| --- | --- |");
        for (int i = 0; i < Runner.SYSTEMS.size(); i++) {
            out.append(" ---: |");
        }
        out.append(" ---: | --- |\n");
        for (Figure figure : FIGURES) {
            out.append("| ").append(figure.workload()).append(" | ").append(figure.figure()).append(" |");
            for (SystemSpec system : Runner.SYSTEMS) {
                Optional<Summary> summary = results.summary(figure.key(), system.key());
                out.append(' ').append(summary.map(s -> number(s.median()) + " [" + number(s.min()) + "–"
                        + number(s.max()) + "]").orElse("")).append(" |");
            }
            double mine = median(figure.key(), jasyncioSystem(figure));
            Optional<Double> best = bestOther(figure);
            String ratio = figure.key().equals("startup") || Double.isNaN(mine) || best.isEmpty() || best.get() == 0
                    ? "" : String.format(Locale.ROOT, "%.2f", mine / best.get());
            String verdict = verdict(figure);
            out.append(' ').append(ratio).append(" | ").append(figure.target())
                    .append(verdict.isEmpty() ? "" : ": **" + verdict + "**").append(" |\n");
        }
        return out.toString();
    }

    /** Replaces what lies between the markers {@link #BEGIN} and {@link #END} of {@code readme} by {@link #table()}. */
    void copyTableInto(Path readme) throws IOException {
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(readme + " has no lines " + BEGIN + " … " + END
                    + " for the benchmark table; put them where the table should go");
        }
        Files.writeString(readme, text.substring(0, begin + BEGIN.length()) + "\n" + table() + text.substring(end));
    }

    static String number(double value) {
        double magnitude = Math.abs(value);
        String format = magnitude >= 1000 ? "%,.0f" : magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, format, value);
    }

    // ---- the chart ----

    private static final int WIDTH = 980;
    private static final int LABEL = 250;
    private static final int BAR = 520;
    private static final int BAR_HEIGHT = 13;
    private static final int BAR_GAP = 3;

    /** A horizontal bar chart: one group per figure, each system's bar relative to the best (longest = best). */
    String svg() {
        StringBuilder body = new StringBuilder();
        int y = 30;
        body.append(text(12, 20, "jasyncio and the alternatives, same run: each bar relative to the best system "
                + "of its group (longest = best); labels are medians", "bold"));
        int legendX = 12;
        int legendY = y;
        for (SystemSpec system : Runner.SYSTEMS) {
            int width = 28 + system.label().length() * 6;
            if (legendX + width > WIDTH) {
                legendX = 12;
                legendY += 18;
            }
            body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                    legendX, legendY, system.color()));
            body.append(text(legendX + 16, legendY + 10, system.label(), ""));
            legendX += width;
        }
        y = legendY + 34;
        for (Figure figure : FIGURES) {
            List<SystemSpec> measured = new ArrayList<>();
            for (SystemSpec system : Runner.SYSTEMS) {
                if (results.summary(figure.key(), system.key()).isPresent()) {
                    measured.add(system);
                }
            }
            if (measured.isEmpty()) {
                continue;
            }
            double floor = figure.lowerIsBetter() ? 0.01 : 0;
            double best = figure.lowerIsBetter() ? Double.MAX_VALUE : 0;
            for (SystemSpec system : measured) {
                double value = Math.max(floor, median(figure.key(), system.key()));
                best = figure.lowerIsBetter() ? Math.min(best, value) : Math.max(best, value);
            }
            int groupTop = y;
            body.append(text(12, y + 11, figure.workload(), "bold"));
            body.append(text(12, y + 25, figure.figure(), ""));
            body.append(text(12, y + 39, figure.lowerIsBetter() ? "lower is better" : "higher is better", "", "#666"));
            for (SystemSpec system : measured) {
                double median = median(figure.key(), system.key());
                double value = Math.max(floor, median);
                double relative = figure.lowerIsBetter() ? best / value : (best == 0 ? 0 : value / best);
                int length = Math.max(1, (int) Math.round(relative * BAR));
                body.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>",
                        LABEL, y, length, BAR_HEIGHT, system.color(), escape(system.label()), number(median)));
                body.append(text(LABEL + length + 4, y + BAR_HEIGHT - 2, number(median), ""));
                y += BAR_HEIGHT + BAR_GAP;
            }
            y = Math.max(y, groupTop + 44) + 12;
        }
        return String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n%s</svg>\n",
                WIDTH, y + 8, WIDTH, y + 8, body);
    }

    private static String text(int x, int y, String content, String weight) {
        return text(x, y, content, weight, "");
    }

    private static String text(int x, int y, String content, String weight, String color) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\"%s%s>%s</text>\n", x, y,
                weight.isEmpty() ? "" : " font-weight=\"" + weight + "\"",
                color.isEmpty() ? "" : " fill=\"" + color + "\"", escape(content));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
