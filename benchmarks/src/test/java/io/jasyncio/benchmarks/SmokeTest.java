package io.jasyncio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CI's smoke test of the benchmarks: the runner's smoke mode runs every workload once, at tiny
 * size, on every system in JVMs of their own (virtual threads when a JDK 21+ is there to run
 * them), and each workload checks it did all its work (tasks finished, echoes received, sums,
 * the start-up program's checksum). Speed is never asserted.
 */
class SmokeTest {
    private static Path property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null, "system property " + name + " is not set: run this test through Maven");
        return Path.of(value);
    }

    @Test
    void smokeRun_measuresEveryWorkloadOnEverySystem() throws Exception {
        Path out = property("jasyncio.benchmarks.out");
        Runner.Options options = Runner.Options.parse("--mode=smoke",
                "--classes=" + property("jasyncio.benchmarks.classes"),
                "--unwoven=" + property("jasyncio.benchmarks.unwoven"),
                "--agent=" + property("jasyncio.agent.jar"),
                "--work=" + out.resolve("work"),
                "--out=" + out);
        Results results = Runner.run(options).results();

        List<String> coroutines = new ArrayList<>(List.of("plugin", "agent", "kotlin"));
        if (Runner.childJdk() >= 21) {
            coroutines.addAll(List.of("vt1", "vt"));
        }
        List<String> withThreads = new ArrayList<>(coroutines);
        withThreads.add("threads");
        for (String figure : List.of("switch", "spawn", "sleepers.ms")) {
            expectPositive(results, figure, withThreads);
        }
        expectPositive(results, "deep.1", coroutines);
        expectPositive(results, "deep.10", coroutines);
        expectPositive(results, "deep.100", coroutines);
        List<String> echo = new ArrayList<>(withThreads);
        echo.add("reference");
        expectPositive(results, "udp.1", echo);
        expectPositive(results, "udp.64", echo);
        expectPositive(results, "nopark.ns", List.of("plugin", "agent", "kotlin", "reference"));
        expectPositive(results, "timeouts", List.of("plugin", "agent", "kotlin"));
        for (String system : withThreads) {
            assertFalse(results.of("sleepers.bytes", system).isEmpty(), "no heap figure for sleepers on " + system);
        }
        assertEquals(1, results.of("startup", "agent").size(), "agent start-up rounds");
        assertEquals(1, results.of("startup", "reference").size(), "no-op agent start-up rounds");

        String markdown = Files.readString(out.resolve("RESULTS.md"));
        for (Report.Figure figure : Report.FIGURES) {
            assertTrue(markdown.contains("| " + figure.workload() + " | " + figure.figure() + " |"),
                    "RESULTS.md has no row for " + figure.workload() + ", " + figure.figure());
        }
        String svg = Files.readString(out.resolve("chart.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("jasyncio (plugin)") && svg.contains("udp echo, C = 64"),
                "chart.svg lacks the chart: " + svg.substring(0, Math.min(200, svg.length())));
    }

    private static void expectPositive(Results results, String figure, List<String> systems) {
        for (String system : systems) {
            List<Double> values = results.of(figure, system);
            assertFalse(values.isEmpty(), figure + " was not measured on " + system);
            for (double value : values) {
                assertTrue(value > 0, figure + " on " + system + " is " + value);
            }
        }
    }
}
