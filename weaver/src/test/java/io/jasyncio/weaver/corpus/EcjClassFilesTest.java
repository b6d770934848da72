package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jdt.core.compiler.batch.BatchCompiler;
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
        List<String> arguments = new ArrayList<>(List.of("-17", "-nowarn", "-proc:none", "-encoding", "UTF-8",
                "-classpath", runtimeClasses().toString(), "-d", classes.toString()));
        programs.forEach(program -> arguments.add(program.sourceFile().toString()));
        StringWriter errors = new StringWriter();
        boolean compiled = BatchCompiler.compile(arguments.toArray(new String[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(errors), null);
        assertTrue(compiled, () -> "ECJ does not compile the fixtures:\n" + errors);
        return CorpusChecks.containers(programs.stream()
                .map(program -> FixtureProgram.load(program.className(), classes))
                .collect(Collectors.toList()));
    }

    private static Path runtimeClasses() {
        try {
            return Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
