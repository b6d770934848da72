package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.weaver.corpus.Fuzzer.Compiler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential fuzzing of the weaver (see {@link Fuzzer}): {@link RandomProgram}s, each run
 * unwoven with its suspending calls completing synchronously, which is plain Java, and woven,
 * parking at every suspending call while another task runs; the outputs must be equal. The
 * programs are compiled by javac ({@code --release 17}), by javac as Java 8, by javac without
 * debug information and by the Eclipse compiler, each compiler over its own range of seeds.
 *
 * <p>The build checks {@value #CI_PROGRAMS} programs from seed 1. A longer run is one command:
 * <pre>
 * mvn -q -o -pl weaver -am verify -Dtest=RandomProgramsTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djasyncio.fuzz.programs=100000 -Djasyncio.fuzz.seed=1000000
 * </pre>
 * which splits the programs {@code 70:10:10:10} over the compilers ({@code -Djasyncio.fuzz.compilers=JAVAC,ECJ}
 * chooses) and prints, per compiler, the programs run, the failures and the seed range. A
 * failing program is shrunk and saved as a fixture with its expected output in
 * {@code weaver/target/fuzz-failures/} (or {@code -Djasyncio.fuzz.failures=DIR}); the failure
 * message names the files. {@code -Djasyncio.fuzz.seed=S -Djasyncio.fuzz.programs=1
 * -Djasyncio.fuzz.compilers=C} reproduces one seed.
 */
class RandomProgramsTest {
    static final String PROGRAMS = "jasyncio.fuzz.programs";
    static final String FIRST_SEED = "jasyncio.fuzz.seed";
    static final String COMPILERS = "jasyncio.fuzz.compilers";
    /** How many programs the build checks. */
    static final int CI_PROGRAMS = 300;

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> randomPrograms_runWovenAsTheyRunPlain() {
        long total = Long.getLong(PROGRAMS, CI_PROGRAMS);
        long firstSeed = Long.getLong(FIRST_SEED, 1L);
        List<Compiler> compilers = Arrays.stream(System.getProperty(COMPILERS, "JAVAC,JAVAC_8,JAVAC_NO_DEBUG_INFO,ECJ")
                .split("\\s*,\\s*")).map(Compiler::valueOf).collect(Collectors.toList());
        List<DynamicTest> tests = new ArrayList<>();
        long seed = firstSeed;
        for (Compiler compiler : compilers) {
            long count = compilers.size() == 1 ? total
                    : compiler == Compiler.JAVAC ? total * 7 / 10 : Math.max(1, total / 10);
            long from = seed;
            tests.add(DynamicTest.dynamicTest(compiler + " seeds " + from + ".." + (from + count - 1),
                    () -> fuzz(compiler, from, count)));
            seed += count;
        }
        return tests.stream();
    }

    private static void fuzz(Compiler compiler, long firstSeed, long count) throws IOException {
        Fuzzer.Report report = new Fuzzer(compiler, work.resolve(compiler.name()), Fuzzer.defaultFailureDir())
                .run(firstSeed, count, line -> {
                    if (line.startsWith("FAILURE") || line.startsWith("skipped")) {
                        System.out.println(line);
                    }
                });
        System.out.println("fuzzing " + report.summary());
        assertTrue(report.programs > count / 2, () -> "most programs were skipped: " + report.summary());
        if (!report.failures.isEmpty()) {
            fail(report.summary() + "\n\n" + report.failures.stream().map(Fuzzer.Failure::describe)
                    .collect(Collectors.joining("\n\n")));
        }
    }
}
