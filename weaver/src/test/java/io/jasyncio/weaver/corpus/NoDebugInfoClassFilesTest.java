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
 * The corpus again, compiled with {@code -g:none}: no line numbers, no local variable tables,
 * no source file, as in some libraries. The weaver must not need them.
 */
class NoDebugInfoClassFilesTest {
    /** Fixtures whose output shows line numbers. */
    static final Set<String> PRINT_LINES = Set.of("StackTraceAcrossParks", "StackTraceDeepChain", "StackTraceShapes");

    @TempDir
    static Path classes;

    @TestFactory
    Stream<DynamicContainer> eachFixtureWithoutDebugInfo_weavesVerifiesAndRunsAsPlainJava() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES).stream()
                .filter(program -> !PRINT_LINES.contains(program.simpleName()))
                .collect(Collectors.toList());
        String errors = Compilers.javac(List.of("--release", "17", "-g:none"),
                programs.stream().map(FixtureProgram::sourceFile).collect(Collectors.toList()), classes);
        assertTrue(errors.isEmpty(), () -> "the fixtures do not compile:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }
}
