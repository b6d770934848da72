package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The weaver's corpus: every program in {@code io.jasyncio.weaver.fixtures} is woven class by
 * class, checked with ASM's {@code CheckClassAdapter}, loaded in a fresh class loader and run;
 * what it prints must equal {@code src/test/resources/fixtures/<Name>.txt} exactly (see
 * {@link CorpusChecks}).
 *
 * <p>Each fixture parks in the middle of one shape of code (a long on the operand stack, an
 * object under construction, a {@code finally} block...) while another task runs, and prints
 * the values it holds after resuming, so a value spilled or restored wrongly shows in the
 * output. The expected outputs are what the programs print as plain Java, never the weaver's
 * output: they were obtained by running each program on a model of the runtime with one
 * thread per task handing over at each suspending call in the loop's order, and reviewed.
 *
 * <p>To add a fixture: one top-level class {@code fixtures/Name.java} with
 * {@code public static void main(String[])}, self-contained (nested classes only), parking
 * with {@code Asyncio.sleep(0)} while a second task runs; and {@code fixtures/Name.txt} with
 * what it prints. To run only some: {@code -Djasyncio.fixture=Name,Other}. A fixture that needs
 * Java 21 goes under {@code src/test/java21} instead and runs only in
 * {@link LateReleaseClassFilesTest}.
 *
 * <p>The same programs are compiled other ways by the other corpus tests, each with its own
 * bytecode shapes: {@link Java8ClassFilesTest} ({@code -source 8 -target 8}),
 * {@link Release11ClassFilesTest}, {@link NoDebugInfoClassFilesTest} ({@code -g:none}),
 * {@link EcjClassFilesTest} (Eclipse), {@link Java5ClassFilesTest} (ECJ, version 49),
 * {@link LateReleaseClassFilesTest} (JDK 25's javac, releases 21 and 25) and
 * {@link DisagreeingLocalVariableTablesTest} (local variable tables rewritten to disagree with
 * the code). A fixture whose source a language level does not accept is listed in that test.
 */
class CorpusTest {

    @TestFactory
    Stream<DynamicContainer> eachFixture_weavesVerifiesAndRunsAsPlainJava() {
        return CorpusChecks.containers(FixtureProgram.findAll(FixtureProgram.FIXTURES));
    }

    @Test
    void corpus_hasEveryFixtureWithItsExpectedOutput() throws IOException {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES);
        assertTrue(programs.size() >= 100, "the corpus shrank to " + programs.size() + " fixtures");
        for (FixtureProgram program : programs) {
            assertNotNull(CorpusTest.class.getResource(CorpusChecks.expectedOutputResource(program)),
                    "fixture " + program + " has no expected output " + CorpusChecks.expectedOutputResource(program));
            assertFalse(CorpusChecks.expectedOutput(program).isBlank(), "the expected output of " + program + " is empty");
        }
    }
}
