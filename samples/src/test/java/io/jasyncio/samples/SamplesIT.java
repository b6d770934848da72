package io.jasyncio.samples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.Asyncio;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs every sample the way a user would, in a JVM of its own, both ways jasyncio weaves:
 * javac's classes under the packaged agent
 * ({@code java -javaagent:jasyncio-agent.jar -cp samples:runtime io.jasyncio.samples.X}), and
 * the classes the Maven plugin wove in place with no agent at all
 * ({@code java -cp samples:runtime io.jasyncio.samples.X}); each must print its committed
 * expected output ({@code expected/X.txt}) and exit with 0.
 *
 * <p>In the expected files, {@code elapsed: * s} stands for a measured time; each test checks
 * those times against bounds wide enough for a loaded machine yet narrow enough to tell
 * concurrent waits from sequential ones. The child JVM is the one running this test, so the
 * samples are checked on every JDK the build runs on.
 */
class SamplesIT {
    private static final Pattern ELAPSED = Pattern.compile("elapsed: (\\d+\\.\\d\\d) s");
    private static final long TIMEOUT_SECONDS = 60;

    @Test
    void hello_theReadmeExamplePrintsHelloThenWorld() throws Exception {
        run("Hello");
    }

    @Test
    void example1_printsHelloThenWorldAfterOneSecond() throws Exception {
        Run run = run("Example1");
        run.assertTime(0, 0.95, 4.0);
    }

    @Test
    void example2_sequentialCallsTakeTheSumOfTheirSleeps() throws Exception {
        Run run = run("Example2");
        run.assertTime(0, 2.9, 6.0);
    }

    @Test
    void example3_tasksSleepAtTheSameTime() throws Exception {
        Run run = run("Example3");
        run.assertTime(0, 1.9, 2.8); // below the 3 s that Example2 needs
    }

    @Test
    void interleave_alternatesBetweenTheTwoCoroutines() throws Exception {
        Run run = run("Interleave");
        run.assertTime(0, 0.0, 2.0);
    }

    @Test
    void clientServer_concurrentClientIsTwiceAsFastAsSequentialOne() throws Exception {
        Run run = run("ClientServer");
        run.assertTime(0, 1.9, 4.0); // sequential: two seconds of server work, one after the other
        run.assertTime(1, 0.95, 1.8); // concurrent: the two seconds overlap
    }

    @Test
    void clientServerSimulated_seedProgramRunsOnASimulatedNetworkInVirtualTime() throws Exception {
        run("ClientServerSimulated"); // the exact virtual times are in its expected output
    }

    @Test
    void sharedSocket_lockMakesTheCallsTakeTurns() throws Exception {
        Run run = run("SharedSocket");
        run.assertTime(0, 1.9, 4.0);
    }

    @Test
    void tcpEcho_serverEchoesEveryClientsLines() throws Exception {
        run("TcpEcho");
    }

    @Test
    void crawler_fetchesEveryPageOnceAtMostFourAtATime() throws Exception {
        Run run = run("Crawler");
        // 31 pages of 50 ms: never under a quarter of the sequential 1.55 s, well under all of it
        run.assertTime(0, 0.38, 1.4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hello", "Example1", "Example2", "Example3", "Interleave", "ClientServer", "SharedSocket",
            "TcpEcho", "Crawler", "ClientServerSimulated"})
    void sample_wovenByThePlugin_runsWithNoAgent(String sample) throws Exception {
        Run run = launch(sample, pluginWoven(), /* agentOptions = */ null);
        assertEquals(0, run.exitCode, () -> "exit code; " + run.describe());
        assertEquals(expected(sample), run.stdoutWithoutTimes(), () -> "output of " + sample + "; " + run.describe());
        assertEquals("", run.unexpectedStderr(), () -> "standard error of " + sample + "; " + run.describe());
        if (sample.equals("ClientServer")) {
            run.assertTime(0, 1.9, 4.0);
            run.assertTime(1, 0.95, 1.8);
        }
        if (sample.equals("Crawler")) {
            run.assertTime(0, 0.38, 1.4);
        }
    }

    @Test
    void pluginWovenClasses_underTheAgent_areNotWovenTwice() throws Exception {
        Run run = launch("Example2", pluginWoven(), /* agentOptions = */ "verbose");
        assertEquals(0, run.exitCode, () -> "exit code; " + run.describe());
        assertEquals(expected("Example2"), run.stdoutWithoutTimes(), () -> run.describe());
        assertEquals("", run.unexpectedStderr(), () -> "the agent should leave woven classes alone; " + run.describe());
    }

    @Test
    void example1_withoutTheAgent_failsAndSaysToUseIt() throws Exception {
        Run run = launch("Example1", unwoven(), /* agentOptions = */ null);
        assertEquals(1, run.exitCode, () -> "exit code; " + run.describe());
        assertTrue(run.stderr.contains("-javaagent"), () -> "the error should say how to weave; " + run.describe());
    }

    @Test
    void example2_withVerboseAgent_reportsEachWovenClass() throws Exception {
        Run run = launch("Example2", unwoven(), /* agentOptions = */ "verbose");
        assertEquals(0, run.exitCode, () -> "exit code; " + run.describe());
        assertEquals("jasyncio: wove io.jasyncio.samples.Example2 (2 @Async methods)", run.unexpectedStderr(),
                () -> run.describe());
    }

    @Test
    void misuse_isReportedAtLoadAndThrownWhenCalled() throws Exception {
        Run run = launch("Misuse", unwoven(), /* agentOptions = */ "");
        assertEquals(1, run.exitCode, () -> "exit code; " + run.describe());
        List<String> lines = run.stderr.lines().collect(Collectors.toList());
        String report = lines.get(0);
        assertTrue(report.startsWith("jasyncio: io.jasyncio.samples.Misuse.nap(Misuse.java:10): ")
                && report.contains("not @Async") && report.contains(" — "), () -> "load-time report; " + run.describe());
        String diagnostic = report.substring("jasyncio: ".length());
        assertTrue(lines.contains("Exception in thread \"main\" java.lang.IllegalStateException: " + diagnostic),
                () -> "the call should throw the report's text; " + run.describe());
    }

    // ------------------------------------------------------------------ running a sample

    /** Runs javac's {@code sample} under the agent and checks its output and exit code. */
    private static Run run(String sample) throws Exception {
        Run run = launch(sample, unwoven(), /* agentOptions = */ "");
        assertEquals(0, run.exitCode, () -> "exit code; " + run.describe());
        assertEquals(expected(sample), run.stdoutWithoutTimes(), () -> "output of " + sample + "; " + run.describe());
        assertEquals("", run.unexpectedStderr(), () -> "standard error of " + sample + "; " + run.describe());
        return run;
    }

    /** javac's classes, kept before the plugin wove {@code target/classes}. */
    private static Path unwoven() {
        return requiredPath("jasyncio.samples.unwoven");
    }

    /** {@code target/classes}, woven in place by jasyncio-maven-plugin. */
    private static Path pluginWoven() {
        return requiredPath("jasyncio.samples.classes");
    }

    /**
     * Runs {@code io.jasyncio.samples.<sample>} from {@code classes} in a new JVM, with the agent
     * and its options ({@code ""} for none) unless {@code agentOptions} is null.
     */
    private static Run launch(String sample, Path classes, String agentOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // UTF-8 output whatever the locale (the reports contain '—'): file.encoding for JDK 17, the others for 19+
        command.addAll(List.of("-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8"));
        if (agentOptions != null) {
            command.add("-javaagent:" + agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classes.toString(),
                requiredPath("jasyncio.samples.testClasses").toString(), runtimeLocation().toString()));
        command.add("io.jasyncio.samples." + sample);

        Path stdout = Files.createTempFile("jasyncio-" + sample, ".out");
        Path stderr = Files.createTempFile("jasyncio-" + sample, ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail(sample + " did not end within " + TIMEOUT_SECONDS + " s; command: " + String.join(" ", command)
                        + "\nstdout:\n" + Files.readString(stdout) + "\nstderr:\n" + Files.readString(stderr));
            }
            return new Run(command, process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static String expected(String sample) throws IOException {
        try (InputStream in = SamplesIT.class.getResourceAsStream("/expected/" + sample + ".txt")) {
            if (in == null) {
                throw new IllegalStateException("no expected output: samples/src/test/resources/expected/" + sample + ".txt");
            }
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    private static Path agentJar() {
        Path jar = requiredPath("jasyncio.agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar " + jar + " not found: build the whole reactor (mvn verify "
                    + "from the root, or mvn -pl samples -am verify)");
        }
        return jar;
    }

    private static Path requiredPath(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set: run the tests with Maven "
                    + "(samples/pom.xml sets it)");
        }
        return Path.of(value);
    }

    /** The runtime's jar or classes directory, as Maven put it on this test's class path. */
    private static Path runtimeLocation() {
        try {
            return Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a child JVM did. */
    private static final class Run {
        final List<String> command;
        final int exitCode;
        final String stdout;
        final String stderr;

        Run(List<String> command, int exitCode, String stdout, String stderr) {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout.replace("\r\n", "\n");
            this.stderr = stderr.replace("\r\n", "\n");
        }

        String stdoutWithoutTimes() {
            return ELAPSED.matcher(stdout).replaceAll("elapsed: * s");
        }

        List<Double> times() {
            List<Double> times = new ArrayList<>();
            Matcher matcher = ELAPSED.matcher(stdout);
            while (matcher.find()) {
                times.add(Double.parseDouble(matcher.group(1)));
            }
            return times;
        }

        /** Standard error without the JVM's own notices, which the samples do not control. */
        String unexpectedStderr() {
            return stderr.lines()
                    .filter(line -> !line.startsWith("WARNING:") && !line.startsWith("Picked up "))
                    .collect(Collectors.joining("\n"));
        }

        /** Checks that the {@code index}-th elapsed time printed lies in [{@code min}, {@code max}) seconds. */
        void assertTime(int index, double min, double max) {
            double seconds = times().get(index);
            assertTrue(seconds >= min && seconds < max, () -> "elapsed time #" + index + " is " + seconds
                    + " s, expected in [" + min + ", " + max + ") s; " + describe());
        }

        String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}
