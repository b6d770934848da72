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
 * The corpus again, compiled as Java 8 code ({@code -source 8 -target 8}, class file version
 * 52), as the agent meets it in older libraries: javac 8 concatenates strings with
 * {@code StringBuilder} chains, checks inner-class outer instances with {@code getClass()}, and
 * lays out try-with-resources differently. Every fixture whose source is Java 8 is compiled
 * here and must print the same expected output.
 */
class Java8ClassFilesTest {
    /** Fixtures that use language features newer than Java 8 (records, switch expressions, patterns...). */
    static final Set<String> NOT_JAVA_8 = Set.of("ComparisonsOnTheStack", "ConstructorInTernary", "ConstructorNested",
            "EnumAndRecordMethods", "InnerAndAnonymousClasses", "InterfacePrivateMethods", "SwitchExpressions",
            "SwitchExpressionsNested", "SwitchWithTryInExpressions");

    @TempDir
    static Path classes;

    @TestFactory
    Stream<DynamicContainer> eachJava8Fixture_weavesVerifiesAndRunsAsPlainJava() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES).stream()
                .filter(program -> !NOT_JAVA_8.contains(program.simpleName()))
                .collect(Collectors.toList());
        String errors = Compilers.javac(List.of("-source", "8", "-target", "8", "-Xlint:-options"),
                programs.stream().map(FixtureProgram::sourceFile).collect(Collectors.toList()), classes);
        assertTrue(errors.isEmpty(), () -> "the fixtures do not compile as Java 8; add those that need a later "
                + "language level to NOT_JAVA_8:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }
}
