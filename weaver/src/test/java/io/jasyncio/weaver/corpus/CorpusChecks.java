package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.weaver.ClassFinder;
import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;

/**
 * The checks every valid fixture program goes through, however it was compiled: it weaves
 * without diagnostics, its woven classes pass {@code CheckClassAdapter} and the JVM's verifier,
 * and run in a fresh class loader it prints exactly {@code src/test/resources/fixtures/<Name>.txt}.
 */
final class CorpusChecks {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Runs only the fixtures named in this system property (comma-separated simple names), when set. */
    static final String ONLY = "jasyncio.fixture";

    private CorpusChecks() {}

    /** One container of dynamic tests per program: weaves, verifies, runs. */
    static Stream<DynamicContainer> containers(List<FixtureProgram> programs) {
        return programs.stream().filter(CorpusChecks::selected).map(program -> {
            Lazy<WovenProgram> woven = Lazy.of(() -> WovenProgram.weave(program));
            return DynamicContainer.dynamicContainer(program.simpleName(), Stream.of(
                    DynamicTest.dynamicTest("weaves", () -> weaves(woven.get())),
                    DynamicTest.dynamicTest("verifies", () -> verifies(woven.get())),
                    DynamicTest.dynamicTest("runs", () -> runs(woven.get()))));
        });
    }

    static boolean selected(FixtureProgram program) {
        String only = System.getProperty(ONLY, "").trim();
        return only.isEmpty() || Set.of(only.split("\\s*,\\s*")).contains(program.simpleName());
    }

    /** Valid programs weave without diagnostics; classes with {@code @Async} bodies are marked and not woven twice. */
    static void weaves(WovenProgram woven) {
        List<Diagnostic> diagnostics = woven.diagnostics();
        assertTrue(diagnostics.isEmpty(), () -> woven.program() + " is valid, but the weaver reported:\n" + diagnostics.stream()
                .map(Diagnostic::format).collect(Collectors.joining("\n")));
        int total = 0;
        Weaver again = new Weaver(ClassFinder.ofClassLoader(CorpusChecks.class.getClassLoader()));
        for (Map.Entry<String, WeaveResult> entry : woven.results().entrySet()) {
            String name = entry.getKey();
            WeaveResult result = entry.getValue();
            byte[] input = woven.program().classFiles().get(name);
            int asyncMethods = ClassFacts.of(input).asyncMethodsWithBody;
            total += result.wovenMethods();
            assertEquals(name, result.className(), () -> "className of the result for " + name);
            if (asyncMethods > 0) {
                assertTrue(result.changed(), name + " has " + asyncMethods + " @Async methods but was not changed");
                assertTrue(result.wovenMethods() > 0, name + " has @Async methods but wovenMethods is 0");
            }
            assertFalse(result.alreadyWoven(), name + " was not woven before");
            if (result.changed()) {
                assertTrue(ClassFacts.of(result.bytes()).hasWovenMarker, name + " was changed but has no @Woven marker");
                WeaveResult twice = again.weave(result.bytes().clone());
                assertTrue(twice.alreadyWoven(), name + ": weaving woven bytes must report alreadyWoven");
                assertFalse(twice.changed(), name + ": weaving woven bytes must not change them");
                assertEquals(0, twice.wovenMethods(), name + ": weaving woven bytes must weave no method");
            } else {
                assertArrayEquals(input, result.bytes(), name + " was not changed, but its bytes differ");
            }
        }
        boolean hasAsync = woven.program().classFiles().values().stream()
                .anyMatch(bytes -> ClassFacts.of(bytes).asyncMethodsWithBody > 0);
        if (hasAsync) {
            assertTrue(total > 0, "no method of " + woven.program() + " was woven");
        }
    }

    /** The woven classes pass ASM's {@code CheckClassAdapter}, then the JVM's own verifier. */
    static void verifies(WovenProgram woven) {
        String problems = woven.verify(woven.newClassLoader());
        if (!problems.isEmpty()) {
            fail("CheckClassAdapter rejects the woven classes of " + woven.program() + ":\n" + problems);
        }
        String linkErrors = woven.link(woven.newClassLoader());
        if (!linkErrors.isEmpty()) {
            fail("the JVM rejects the woven classes of " + woven.program() + ":\n" + linkErrors);
        }
    }

    /** Run in a fresh class loader, the woven program prints exactly its expected output, on time and without errors. */
    static void runs(WovenProgram woven) throws IOException {
        FixtureProgram program = woven.program();
        String expected = expectedOutput(program);
        ProgramRun run = ProgramRun.run(woven.newClassLoader(), program.className(), TIMEOUT);
        String problems = run.describeProblems();
        String difference = TextDiff.firstDifference(expected, run.stdout());
        if (difference != null || !problems.isEmpty()) {
            fail(program + " did not run as plain Java would"
                    + (difference == null ? "" : ": " + difference)
                    + "\n" + problems
                    + "--- expected (" + expectedOutputResource(program) + "):\n" + expected
                    + "--- actual:\n" + run.stdout());
        }
    }

    static String expectedOutputResource(FixtureProgram program) {
        return "/fixtures/" + program.simpleName() + ".txt";
    }

    static String expectedOutput(FixtureProgram program) throws IOException {
        try (InputStream in = CorpusChecks.class.getResourceAsStream(expectedOutputResource(program))) {
            assertNotNull(in, "fixture " + program + " has no expected output in src/test/resources"
                    + expectedOutputResource(program));
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        }
    }
}
