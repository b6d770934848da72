package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
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
            "SwitchWithTryInExpressions");

    @TempDir
    static Path classes;

    @TestFactory
    Stream<DynamicContainer> eachJava8Fixture_weavesVerifiesAndRunsAsPlainJava() {
        List<FixtureProgram> programs = FixtureProgram.findAll(FixtureProgram.FIXTURES).stream()
                .filter(program -> !NOT_JAVA_8.contains(program.simpleName()))
                .collect(Collectors.toList());
        String errors = compileAsJava8(programs.stream().map(FixtureProgram::sourceFile).collect(Collectors.toList()), classes);
        assertTrue(errors.isEmpty(), () -> "the fixtures do not compile as Java 8; add those that need a later "
                + "language level to NOT_JAVA_8:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }

    /** Compiles the sources as Java 8 into {@code out}; returns javac's errors, empty when it succeeded. */
    private static String compileAsJava8(List<Path> sources, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            List<String> options = List.of("-source", "8", "-target", "8", "-Xlint:-options", "-nowarn",
                    "-proc:none", "-classpath", runtimeClasses().toString(), "-d", out.toString());
            DiagnosticListener<JavaFileObject> listener = diagnostic -> {
                if (diagnostic.getKind() == Diagnostic.Kind.ERROR) {
                    errors.append(diagnostic.toString()).append('\n');
                }
            };
            boolean compiled = javac.getTask(new StringWriter(), files, listener, options, null, units).call();
            return compiled ? "" : errors.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the runtime's classes are: the only library the fixtures compile against. */
    private static Path runtimeClasses() {
        try {
            Path location = Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertTrue(Files.exists(location), "no runtime classes at " + location);
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
