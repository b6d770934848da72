package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus again, compiled by the Eclipse compiler (ECJ), as the agent meets classes built in
 * Eclipse: ECJ lays out code in its own ways (for example, {@code new P(f())} whose result is
 * unused has no {@code dup}), and every fixture must still weave, verify and print its
 * expected output.
 */
class EcjClassFilesTest {
    @TempDir
    static Path classes;

    @TestFactory
    Stream<DynamicContainer> eachEcjFixture_weavesVerifiesAndRunsAsPlainJava() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES);
        String errors = Compilers.ecj(programs.stream().map(FixtureProgram::sourceFile).collect(Collectors.toList()), classes);
        assertTrue(errors.isEmpty(), () -> "ECJ does not compile the fixtures:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }
}
