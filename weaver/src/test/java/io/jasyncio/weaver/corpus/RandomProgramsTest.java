package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import io.jasyncio.weaver.Diagnostic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random programs (see {@link RandomProgram}), each run twice: unwoven with its suspending
 * calls made not to park, which is plain Java; and woven, parking at every suspending call
 * while another task runs. The two outputs must be equal. The seeds are fixed, so a build is
 * reproducible; {@code -Djasyncio.randomPrograms=500 -Djasyncio.randomSeed=1000} explores
 * further. Each program is compiled four ways: by javac, by javac as Java 8, by javac without
 * debug information, and by the Eclipse compiler. A
 * failure prints its seed and source, ready to become a fixture once reduced.
 */
class RandomProgramsTest {
    static final String COUNT = "jasyncio.randomPrograms";
    static final String FIRST_SEED = "jasyncio.randomSeed";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The compilers the programs are compiled with, each laying out bytecode its own way. */
    enum Compiler { JAVAC, JAVAC_8, JAVAC_NO_DEBUG_INFO, ECJ }

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> randomProgram_runsWovenAsItRunsPlain() throws IOException {
        return programs(Compiler.JAVAC, 40);
    }

    @TestFactory
    Stream<DynamicTest> randomProgramCompiledAsJava8_runsWovenAsItRunsPlain() throws IOException {
        return programs(Compiler.JAVAC_8, 15);
    }

    @TestFactory
    Stream<DynamicTest> randomProgramWithoutDebugInfo_runsWovenAsItRunsPlain() throws IOException {
        return programs(Compiler.JAVAC_NO_DEBUG_INFO, 10);
    }

    @TestFactory
    Stream<DynamicTest> randomProgramCompiledByEcj_runsWovenAsItRunsPlain() throws IOException {
        return programs(Compiler.ECJ, 15);
    }

    /** Writes and compiles the programs of the seeds to check, {@code count} unless the system property says. */
    private static Stream<DynamicTest> programs(Compiler compiler, int count) throws IOException {
        int programs = Integer.getInteger(COUNT, count);
        long firstSeed = Long.getLong(FIRST_SEED, 1L);
        Path sources = work.resolve(compiler + "/src");
        Path classes = work.resolve(compiler + "/classes");
        Files.createDirectories(sources);
        List<Path> files = new ArrayList<>();
        for (long seed = firstSeed; seed < firstSeed + programs; seed++) {
            Path file = sources.resolve(className(seed) + ".java");
            Files.writeString(file, RandomProgram.source(seed, className(seed)), StandardCharsets.UTF_8);
            files.add(file);
        }
        String errors = compile(compiler, files, classes);
        assertTrue(errors.isEmpty(), () -> "RandomProgram wrote code that " + compiler + " does not compile:\n" + errors);
        return Stream.iterate(firstSeed, seed -> seed + 1).limit(programs)
                .map(seed -> DynamicTest.dynamicTest("seed " + seed, () -> check(seed, classes, sources)));
    }

    private static String className(long seed) {
        return "Generated" + seed;
    }

    private static void check(long seed, Path classes, Path sources) throws IOException {
        String name = FixtureProgram.FIXTURES + "." + className(seed);
        FixtureProgram program = FixtureProgram.load(name, classes);
        ClassLoader parent = RandomProgramsTest.class.getClassLoader();
        ProgramRun reference = ProgramRun.run(new FixtureClassLoader(program.simpleName(), program.classFiles(), parent),
                name, TIMEOUT);
        // ECJ 3.38 sometimes writes a StackMapTable that the JVM rejects ("bad offset"), in very
        // long methods: the compiler's own output does not verify, which is not the weaver's concern.
        Assumptions.assumeFalse(reference.failure() instanceof VerifyError,
                () -> "the unwoven class files of seed " + seed + " do not verify: " + reference.failure());
        assertEquals("", reference.describeProblems(), "the unwoven reference run of seed " + seed + " failed");
        WovenProgram woven = WovenProgram.weave(program);
        String source = Files.readString(sources.resolve(className(seed) + ".java"));
        String trouble = woven.diagnostics().stream().map(Diagnostic::format).collect(Collectors.joining("\n"));
        if (trouble.isEmpty()) {
            trouble = woven.verify(woven.newClassLoader()) + woven.link(woven.newClassLoader());
        }
        if (trouble.isEmpty()) {
            ProgramRun run = ProgramRun.run(woven.newClassLoader(), name, TIMEOUT, "park");
            String difference = TextDiff.firstDifference(reference.stdout(), run.stdout());
            trouble = (difference == null ? "" : difference + "\n") + run.describeProblems();
        }
        if (!trouble.isEmpty()) {
            fail("seed " + seed + ": the woven program does not behave as plain Java:\n" + trouble
                    + "\n--- source (" + FIRST_SEED + "=" + seed + "):\n" + source);
        }
    }

    /** Compiles the generated sources against the runtime; returns the errors, empty when it succeeded. */
    private static String compile(Compiler compiler, List<Path> sources, Path out) throws IOException {
        Files.createDirectories(out);
        switch (compiler) {
            case ECJ:
                return Compilers.ecj(sources, out);
            case JAVAC_8:
                return Compilers.javac(List.of("-source", "8", "-target", "8", "-Xlint:-options"), sources, out);
            case JAVAC_NO_DEBUG_INFO:
                return Compilers.javac(List.of("--release", "17", "-g:none"), sources, out);
            default:
                return Compilers.javac(List.of("--release", "17"), sources, out);
        }
    }
}
