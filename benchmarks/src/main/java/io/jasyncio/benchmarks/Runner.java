package io.jasyncio.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the whole comparison: every workload on every system, each measured in JVMs of its own on
 * one JDK (25 if there is one), and writes {@code RESULTS.md} and {@code chart.svg}.
 *
 * <pre>
 * java -cp ... io.jasyncio.benchmarks.Runner --mode=full|smoke|report --classes=DIR --unwoven=DIR
 *     --agent=JAR --work=DIR --out=DIR [--readme=README.md]
 * </pre>
 *
 * <p>{@code full} measures (several JVMs per system and workload, warm-up, fixed heap) and, given
 * {@code --readme}, copies the table between the README's benchmark markers. {@code report} writes
 * the files again from the values the last full run kept in {@code raw.tsv} of the work
 * directory, without measuring. {@code smoke} runs
 * each workload once at tiny size in one JVM per system, to check that every system completes
 * the work; its figures mean nothing. The class path of this JVM is the class path of the child
 * JVMs, with {@code --classes} (woven by the plugin) replaced by {@code --unwoven} under the agent.
 */
public final class Runner {
    /** The systems compared, in the order of the table's columns. */
    static final List<SystemSpec> SYSTEMS = List.of(
            new SystemSpec("plugin", "jasyncio (plugin)", "#1f6feb"),
            new SystemSpec("agent", "jasyncio (agent)", "#6ea8fe"),
            new SystemSpec("vt1", "virtual threads, parallelism 1", "#d97706"),
            new SystemSpec("vt", "virtual threads, default", "#f5b041"),
            new SystemSpec("kotlin", "Kotlin coroutines", "#7e57c2"),
            new SystemSpec("threads", "platform threads (10,000 tasks)", "#8d6e63"),
            new SystemSpec("reference", "reference: NIO loop / plain call / no-op agent", "#2e7d32"));

    private static final String HEAP = "-Xmx3g";

    private final Options options;
    private final Path java;
    private final int javaFeature;
    private final String wovenClassPath;
    private final String unwovenClassPath;
    private final Results results = new Results();
    private final List<String> notes = new ArrayList<>();
    private int step;

    private Runner(Options options) {
        this.options = options;
        Path home = childJavaHome();
        this.java = home.resolve("bin").resolve("java");
        this.javaFeature = featureVersion(home);
        // The agent jar may be on this JVM's class path (the test class path has it, for the
        // reactor's order); the child JVMs get it only as -javaagent.
        this.wovenClassPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("jasyncio-agent"))
                .collect(Collectors.joining(File.pathSeparator));
        this.unwovenClassPath = replaceEntry(wovenClassPath, options.classes, options.unwoven);
    }

    /** Command line entry: see the class comment. Exits with status 1 and a message on failure. */
    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        run(options);
    }

    /** Runs the comparison {@code options} describe and returns what was written. */
    static Report run(Options options) throws IOException, InterruptedException {
        Instant start = Instant.now();
        Runner runner = new Runner(options);
        Report report;
        Path raw = options.work.resolve("raw.tsv");
        if (options.reportOnly) {
            report = Report.read(raw, options.full);
        } else {
            runner.log("child JVMs: " + runner.java + " (JDK " + runner.javaFeature + ")");
            String loadBefore = loadAverage();
            runner.measure();
            Duration wall = Duration.between(start, Instant.now());
            String machine = runner.machine(wall) + " Load average (1 min) at the start: " + loadBefore + ", at the end: "
                    + loadAverage() + " (well above 0 means other work shared the cores: noisy figures).";
            report = new Report(runner.results, machine, runner.notes, options.full);
            report.write(raw);
        }
        Files.createDirectories(options.out);
        Files.writeString(options.out.resolve("RESULTS.md"), report.markdown());
        Files.writeString(options.out.resolve("chart.svg"), report.svg());
        if (options.readme != null && options.full) {
            report.copyTableInto(options.readme);
        }
        Duration wall = Duration.between(start, Instant.now());
        runner.log("wrote " + options.out.resolve("RESULTS.md") + " and chart.svg in "
                + wall.toMinutes() + " min " + wall.toSecondsPart() + " s");
        return report;
    }

    /** The feature version of the JDK that child JVMs run on. */
    static int childJdk() {
        return featureVersion(childJavaHome());
    }

    private boolean virtualThreads() {
        return javaFeature >= 21;
    }

    // ---- the plan ----

    private void measure() throws IOException, InterruptedException {
        if (options.full) {
            measureFull();
        } else {
            measureSmoke();
        }
    }

    private void measureSmoke() throws IOException, InterruptedException {
        String[] coroutineWork = {"switch:1000", "spawn:1000", "sleepers:1000:20", "deep:1000:1", "deep:1000:10",
            "deep:100:100", "udp:200:1", "udp:256:64"};
        for (String system : List.of("plugin", "agent", "vt1", "vt", "kotlin")) {
            if (system.startsWith("vt") && !virtualThreads()) {
                continue;
            }
            child(system, 0, 1, coroutineWork);
        }
        for (String system : List.of("plugin", "agent", "kotlin")) {
            child(system, 0, 1, "timeouts:100:1");
        }
        child("threads", 0, 1, "switch:1000", "spawn:100", "sleepers:100:20", "udp:200:1", "udp:256:64");
        child("reference", 0, 1, "udp:200:1", "udp:256:64");
        jmh("plugin", "jasyncio,kotlin,plain", 0, 0, 1, 100, false);
        jmh("agent", "jasyncio", 0, 0, 1, 100, false);
        startup(20, 1);
    }

    private void measureFull() throws IOException, InterruptedException {
        List<String> coroutines = new ArrayList<>(List.of("plugin", "agent", "kotlin"));
        if (virtualThreads()) {
            coroutines.addAll(2, List.of("vt1", "vt"));
        } else {
            notes.add("Virtual threads left out: the child JDK is " + javaFeature + ", before 21.");
        }
        List<String> withThreads = new ArrayList<>(coroutines);
        withThreads.add("threads");
        int forks = 3;
        for (int fork = 1; fork <= forks; fork++) {
            for (String system : withThreads) {
                boolean threads = system.equals("threads");
                child(system, 1, 2, threads ? "switch:10000" : "switch:5000000");
                child(system, 1, 2, threads ? "spawn:10000" : "spawn:1000000");
                child(system, 0, 1, threads ? "sleepers:10000:1000" : "sleepers:1000000:1000");
                if (!threads) {
                    child(system, 3, 3, "deep:1000000:1", "deep:1000000:10", "deep:1000000:100");
                }
                child(system, 1, 2, "udp:30000:1", "udp:30000:64");
                if (!threads && !system.startsWith("vt")) {
                    child(system, 1, 2, "timeouts:1000:24");
                }
            }
            child("reference", 1, 2, "udp:30000:1", "udp:30000:64");
        }
        jmh("plugin", "jasyncio,kotlin,plain", forks, 3, 3, 1000, true);
        jmh("agent", "jasyncio", forks, 3, 3, 1000, true);
        startup(2000, 15);
        notes.add("switch, spawn, udp echo: " + forks + " JVMs per system and workload, each with one warm-up run then "
                + "2 measured runs (a day of timeouts too, jasyncio and Kotlin only); deep: 3 warm-up and 3 measured runs of each depth; sleepers: 1 timed run, then 1 run "
                + "measuring the heap (its sleepers are cancelled once it is measured); udp echo: 30,000 requests a run; no-park "
                + "call: JMH, " + forks + " forks × 3 warm-up + 3 measured 1 s iterations, -prof gc; agent start-up: "
                + "15 alternating rounds of whole-JVM runs. Every JVM: " + HEAP + " -Xms3g.");
    }

    // ---- child JVMs ----

    private List<String> jvm(String system) {
        List<String> command = new ArrayList<>(List.of(java.toString(), HEAP, "-Xms3g"));
        if (system.equals("vt1")) {
            command.add("-Djdk.virtualThreadScheduler.parallelism=1");
        }
        if (system.equals("agent")) {
            command.add("-javaagent:" + options.agent);
        }
        command.add("-cp");
        command.add(system.equals("agent") ? unwovenClassPath : wovenClassPath);
        return command;
    }

    private static String childSystem(String system) {
        switch (system) {
            case "plugin":
            case "agent":
                return "jasyncio";
            case "vt1":
            case "vt":
                return "virtual";
            case "threads":
                return "platform";
            case "reference":
                return "nio";
            default:
                return system;
        }
    }

    private void child(String system, int warmups, int iterations, String... work) throws IOException, InterruptedException {
        List<String> command = jvm(system);
        command.add(Child.class.getName());
        command.add(childSystem(system));
        command.add(String.valueOf(warmups));
        command.add(String.valueOf(iterations));
        command.addAll(Arrays.asList(work));
        Map<String, List<Double>> figures = launch(system + " " + String.join(" ", work), command, Duration.ofMinutes(5));
        for (String spec : work) {
            for (String figure : figuresOf(spec)) {
                if (!figures.containsKey(figure)) {
                    throw new IllegalStateException(system + ": the child JVM reported no " + figure + " for " + spec);
                }
            }
        }
        record(system, figures);
    }

    private static List<String> figuresOf(String spec) {
        String[] parts = spec.split(":");
        switch (parts[0]) {
            case "sleepers":
                return List.of("sleepers.ms", "sleepers.bytes");
            case "deep":
            case "udp":
                return List.of(parts[0] + "." + parts[2]);
            default:
                return List.of(parts[0]);
        }
    }

    private void jmh(String system, String benchmarks, int forks, int warmups, int iterations, int millis, boolean gc)
            throws IOException, InterruptedException {
        List<String> command = jvm(system);
        command.addAll(List.of(JmhMain.class.getName(), benchmarks, String.valueOf(forks), String.valueOf(warmups),
                String.valueOf(iterations), String.valueOf(millis), gc ? "gc" : "nogc"));
        Map<String, List<Double>> figures = launch("JMH " + system + " " + benchmarks, command, Duration.ofMinutes(10));
        for (String benchmark : benchmarks.split(",")) {
            String owner = benchmark.equals("jasyncio") ? system : benchmark.equals("kotlin") ? "kotlin" : "reference";
            for (String unit : gc ? List.of("ns", "bytes") : List.of("ns")) {
                List<Double> values = figures.get("nopark." + benchmark + "." + unit);
                if (values == null) {
                    throw new IllegalStateException("JMH reported no " + unit + " for NoParkCall." + benchmark);
                }
                values.forEach(v -> results.add("nopark." + unit, owner, v));
            }
        }
    }

    /** Agent start-up: alternating whole-JVM runs of the generated program without agent, with jasyncio's, with a no-op one. */
    private void startup(int classes, int rounds) throws IOException, InterruptedException {
        Path program = StartupProgram.build(options.work.resolve("startup"), classes);
        Path noop = StartupProgram.noopAgentJar(options.classes, options.work.resolve("noop-agent.jar"));
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("none", List.of());
        variants.put("agent", List.of("-javaagent:" + options.agent));
        variants.put("reference", List.of("-javaagent:" + noop));
        String checksum = null;
        for (int round = 0; round <= rounds; round++) { // round 0 warms the file cache and is not counted
            Map<String, Double> millis = new HashMap<>();
            for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
                List<String> command = new ArrayList<>(List.of(java.toString(), HEAP, "-Xms3g"));
                command.addAll(variant.getValue());
                command.addAll(List.of("-cp", program.toString(), "gen.Main"));
                long start = System.nanoTime();
                List<String> output = launchLines("start-up " + variant.getKey(), command, Duration.ofMinutes(2));
                millis.put(variant.getKey(), (System.nanoTime() - start) / 1e6);
                String line = output.stream().filter(l -> l.startsWith("checksum ")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("start-up " + variant.getKey() + ": no checksum printed"));
                if (checksum == null) {
                    checksum = line;
                } else if (!checksum.equals(line)) {
                    throw new IllegalStateException("start-up " + variant.getKey() + ": printed " + line + ", not " + checksum);
                }
            }
            if (round > 0) {
                results.add("startup", "agent", millis.get("agent") - millis.get("none"));
                results.add("startup", "reference", millis.get("reference") - millis.get("none"));
                results.add("startup.base", "none", millis.get("none"));
            }
        }
    }

    private void record(String system, Map<String, List<Double>> figures) {
        figures.forEach((figure, values) -> values.forEach(v -> results.add(figure, system, v)));
    }

    private Map<String, List<Double>> launch(String what, List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        for (String line : launchLines(what, command, timeout)) {
            if (line.startsWith("RESULT ")) {
                String[] parts = line.split(" ");
                figures.computeIfAbsent(parts[1], f -> new ArrayList<>()).add(Double.parseDouble(parts[2]));
            }
        }
        return figures;
    }

    /** Runs {@code command}, its output logged under the work directory; returns its lines; throws unless it exits with 0. */
    private List<String> launchLines(String what, List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        step++;
        Path logs = options.work.resolve("logs");
        Files.createDirectories(logs);
        Path log = logs.resolve(String.format(Locale.ROOT, "%03d-%s.log", step, what.replaceAll("[^A-Za-z0-9.-]+", "_")));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
                out.println(String.join(" ", command));
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join();
            throw new IllegalStateException(what + ": still running after " + timeout.toSeconds() + " s, killed; see " + log);
        }
        reader.join();
        if (process.exitValue() != 0) {
            List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            throw new IllegalStateException(what + ": the JVM exited with status " + process.exitValue() + "; see " + log
                    + "\n" + String.join("\n", tail));
        }
        log(String.format(Locale.ROOT, "[%d] %s: %.1f s", step, what, (System.nanoTime() - start) / 1e9));
        return lines;
    }

    private void log(String message) {
        System.out.println("benchmarks: " + message);
        System.out.flush();
    }

    // ---- the JDK of the child JVMs ----

    /** JAVA_HOME if it is JDK 21 or later, else the Temurin JDK 25 under /usr/lib/jvm, else this JVM's JDK. */
    private static Path childJavaHome() {
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isEmpty() && featureVersion(Path.of(javaHome)) >= 21) {
            return Path.of(javaHome);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                Optional<Path> temurin = homes
                        .filter(h -> h.getFileName().toString().startsWith("temurin-25"))
                        .filter(h -> Files.isExecutable(h.resolve("bin/java")))
                        .sorted()
                        .findFirst();
                if (temurin.isPresent()) {
                    return temurin.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + jvms, e);
            }
        }
        return Path.of(System.getProperty("java.home"));
    }

    /** The feature version of the JDK at {@code home}, from its {@code release} file; 0 if unknown. */
    static int featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return home.equals(Path.of(System.getProperty("java.home"))) ? Runtime.version().feature() : 0;
        }
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    String first = version.split("[.+-]")[0];
                    return Integer.parseInt(first.equals("1") ? version.split("\\.")[1] : first);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private String javaDescription() {
        Path release = java.getParent().getParent().resolve("release");
        try {
            Map<String, String> values = new HashMap<>();
            for (String line : Files.readAllLines(release)) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    values.put(line.substring(0, equals), line.substring(equals + 1).replace("\"", ""));
                }
            }
            return values.getOrDefault("IMPLEMENTOR", "JDK") + " " + values.getOrDefault("JAVA_VERSION", "?");
        } catch (IOException e) {
            return "JDK " + javaFeature;
        }
    }

    /** The 1-minute load average from /proc/loadavg, or "unknown". */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private String machine(Duration wall) {
        String cpu = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim() + ", ").orElse("");
        } catch (IOException | RuntimeException e) {
            cpu = "";
        }
        return String.format(Locale.ROOT, "%s%d cores, %s %s; child JVMs on %s; %s UTC; the whole run took %d min %d s.",
                cpu, Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"),
                javaDescription(), Instant.now().toString().substring(0, 16).replace('T', ' '),
                wall.toMinutes(), wall.toSecondsPart());
    }

    private static String replaceEntry(String classPath, Path entry, Path replacement) {
        String separator = File.pathSeparator;
        Path wanted = entry.toAbsolutePath().normalize();
        boolean[] found = {false};
        String replaced = Arrays.stream(classPath.split(separator))
                .map(e -> {
                    if (Path.of(e).toAbsolutePath().normalize().equals(wanted)) {
                        found[0] = true;
                        return replacement.toString();
                    }
                    return e;
                })
                .collect(Collectors.joining(separator));
        if (!found[0]) {
            throw new IllegalStateException("the woven classes " + entry + " are not on this JVM's class path ("
                    + classPath + "): run the Runner with them on it, as the bench profile does");
        }
        return replaced;
    }

    /** One system's column in the table and colour in the chart. */
    record SystemSpec(String key, String label, String color) {}

    /** The command line. */
    static final class Options {
        boolean full;
        boolean reportOnly;
        Path classes;
        Path unwoven;
        Path agent;
        Path work;
        Path out;
        Path readme;

        static Options parse(String... args) {
            Map<String, String> values = new HashMap<>();
            for (String arg : args) {
                int equals = arg.indexOf('=');
                if (!arg.startsWith("--") || equals < 0) {
                    throw new IllegalArgumentException("expected --name=value, got " + arg);
                }
                values.put(arg.substring(2, equals), arg.substring(equals + 1));
            }
            Options options = new Options();
            String mode = values.getOrDefault("mode", "full");
            if (!List.of("full", "true", "", "smoke", "report").contains(mode)) {
                throw new IllegalArgumentException("--mode must be full, smoke or report, not " + mode);
            }
            options.full = !mode.equals("smoke");
            options.reportOnly = mode.equals("report");
            options.classes = required(values, "classes");
            options.unwoven = required(values, "unwoven");
            options.agent = required(values, "agent");
            options.work = required(values, "work");
            options.out = required(values, "out");
            options.readme = values.containsKey("readme") ? Path.of(values.get("readme")) : null;
            if (!Files.isRegularFile(options.agent)) {
                throw new IllegalArgumentException("no agent jar at " + options.agent + ": build the agent module first");
            }
            return options;
        }

        private static Path required(Map<String, String> values, String name) {
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("missing --" + name + "=...");
            }
            return Path.of(value);
        }
    }
}
