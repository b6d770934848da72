package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixtures written in Java 5 style, compiled by ECJ to class file version 49: no stack map
 * frames at all, so the weaver computes every frame, and raises the version to 52.
 */
class Java5ClassFilesTest {
    /** Fixtures whose source is Java 5 (no lambdas, no diamond, no try-with-resources...). */
    static final Set<String> JAVA_5 = Set.of("OldStyleNoLambdas");

    @TempDir
    static Path classes;

    @TestFactory
    Stream<DynamicContainer> eachJava5Fixture_weavesVerifiesAndRunsAsPlainJava() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES).stream()
                .filter(program -> JAVA_5.contains(program.simpleName()))
                .collect(Collectors.toList());
        assertTrue(programs.size() == JAVA_5.size(), "missing fixtures of " + JAVA_5);
        String errors = Compilers.ecj(List.of("-source", "1.5", "-target", "1.5"),
                programs.stream().map(FixtureProgram::sourceFile).collect(Collectors.toList()), classes);
        assertTrue(errors.isEmpty(), () -> "ECJ does not compile the fixtures as Java 5:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }
}
