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
 * The corpus again, compiled with {@code --release 11} (class file version 55) by the javac
 * running the tests: Java 11 libraries reach the agent this way (string concatenation through
 * {@code invokedynamic}, nest-based access instead of synthetic accessors). Every fixture that
 * the Java 11 language accepts must print its expected output.
 */
class Release11ClassFilesTest {
    /** Fixtures that use language features newer than Java 11 (records, switch expressions, patterns...). */
    static final Set<String> NOT_JAVA_11 = Set.of("ComparisonsOnTheStack", "ConstructorInTernary", "ConstructorNested",
            "EnumAndRecordMethods", "SwitchExpressions", "SwitchExpressionsNested", "SwitchWithTryInExpressions");

    @TempDir
    static Path classes;

    @TestFactory
    Stream<DynamicContainer> eachRelease11Fixture_weavesVerifiesAndRunsAsPlainJava() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES).stream()
                .filter(program -> !NOT_JAVA_11.contains(program.simpleName()))
                .collect(Collectors.toList());
        String errors = Compilers.javac(List.of("--release", "11"),
                programs.stream().map(FixtureProgram::sourceFile).collect(Collectors.toList()), classes);
        assertTrue(errors.isEmpty(), () -> "the fixtures do not compile for Java 11; add those that need a later "
                + "language level to NOT_JAVA_11:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }
}
