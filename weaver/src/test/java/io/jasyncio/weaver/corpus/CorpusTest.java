package io.jasyncio.weaver.corpus;

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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The weaver's corpus: every program in {@code io.jasyncio.weaver.fixtures} is woven class by
 * class, checked with ASM's {@code CheckClassAdapter}, loaded in a fresh class loader and run;
 * what it prints must equal {@code src/test/resources/fixtures/<Name>.txt} exactly.
 *
 * <p>Each fixture parks in the middle of one shape of code (a long on the operand stack, an
 * object under construction, a {@code finally} block...) while another task runs, and prints
 * the values it holds after resuming, so a value spilled or restored wrongly shows in the
 * output. The expected outputs are what the programs print as plain Java: they were written
 * from the source, not from the weaver's output.
 */
class CorpusTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TestFactory
    Stream<DynamicContainer> fixtures() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES);
        return programs.stream().map(program -> {
            Lazy<WovenProgram> woven = Lazy.of(() -> WovenProgram.weave(program));
            return DynamicContainer.dynamicContainer(program.simpleName(), Stream.of(
                    DynamicTest.dynamicTest("weaves", () -> weaves(woven.get())),
                    DynamicTest.dynamicTest("verifies", () -> verifies(woven.get())),
                    DynamicTest.dynamicTest("runs", () -> runs(woven.get()))));
        });
    }

    @Test
    void corpus_hasEveryFixtureWithItsExpectedOutput() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES);
        assertTrue(programs.size() >= 45, "the corpus shrank to " + programs.size() + " fixtures");
        for (FixtureProgram program : programs) {
            assertNotNull(CorpusTest.class.getResource(expectedOutputResource(program)),
                    "fixture " + program + " has no expected output " + expectedOutputResource(program));
        }
    }

    /** Valid programs weave without diagnostics; classes with {@code @Async} bodies are marked and not woven twice. */
    private static void weaves(WovenProgram woven) {
        List<Diagnostic> diagnostics = woven.diagnostics();
        assertTrue(diagnostics.isEmpty(), () -> woven.program() + " is valid, but the weaver reported:\n" + diagnostics.stream()
                .map(Diagnostic::format).collect(Collectors.joining("\n")));
        int total = 0;
        Weaver again = new Weaver(ClassFinder.ofClassLoader(CorpusTest.class.getClassLoader()));
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
                assertTrue(Arrays.equals(input, result.bytes()), name + " was not changed, but its bytes differ");
            }
        }
        boolean hasAsync = woven.program().classFiles().values().stream()
                .anyMatch(bytes -> ClassFacts.of(bytes).asyncMethodsWithBody > 0);
        if (hasAsync) {
            assertTrue(total > 0, "no method of " + woven.program() + " was woven");
        }
    }

    private static void verifies(WovenProgram woven) {
        String problems = woven.verify(woven.newClassLoader());
        if (!problems.isEmpty()) {
            fail("CheckClassAdapter rejects the woven classes of " + woven.program() + ":\n" + problems);
        }
    }

    private static void runs(WovenProgram woven) throws IOException {
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

    private static String expectedOutputResource(FixtureProgram program) {
        return "/fixtures/" + program.simpleName() + ".txt";
    }

    private static String expectedOutput(FixtureProgram program) throws IOException {
        try (InputStream in = CorpusTest.class.getResourceAsStream(expectedOutputResource(program))) {
            assertNotNull(in, "fixture " + program + " has no expected output in src/test/resources"
                    + expectedOutputResource(program));
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        }
    }
}
