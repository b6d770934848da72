package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.weaver.WeaveResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * The woven bytecode of a few fixtures, as ASM's {@code Textifier} prints it, compared with the
 * dumps committed under {@code src/test/resources/golden/}. A change to the weaver's output shows
 * up here as a reviewable diff. To accept an intended change, rerun with the switch
 * {@value #UPDATE} set ({@code mvn -pl weaver -am verify -D}{@value #UPDATE}{@code =true}): it
 * rewrites the files, and the diff goes into the commit.
 */
class GoldenDumpTest {
    static final String UPDATE = "jasyncio.updateGolden";

    @ParameterizedTest
    @ValueSource(strings = {"OperandStackLong", "SwitchOnString"})
    void wovenBytecode_matchesGoldenDump(String fixture) throws IOException {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + "." + fixture);
        WeaveResult result = WovenProgram.weave(program).results().get(program.className());
        assertTrue(result.changed(), fixture + " was not woven");
        String dump = textify(result.bytes());
        Path golden = TestPaths.testResources().resolve("golden/" + fixture + ".txt");
        if (Boolean.getBoolean(UPDATE)) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, dump, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(golden)) {
            fail("no golden dump " + golden + " yet: run with -D" + UPDATE + "=true to write it, then review it");
        }
        String expected = Files.readString(golden, StandardCharsets.UTF_8).replace("\r\n", "\n");
        String difference = TextDiff.firstDifference(expected, dump);
        if (difference != null) {
            fail("the woven bytecode of " + fixture + " differs from " + TestPaths.moduleDir().relativize(golden)
                    + ", " + difference + ".\nIf the change is intended, rerun with -D" + UPDATE
                    + "=true to rewrite the golden files, and review their diff.\n--- actual:\n" + dump);
        }
    }

    /** The class file as text: ASM's {@code Textifier} through a {@code TraceClassVisitor}. */
    static String textify(byte[] classFile) {
        StringWriter text = new StringWriter();
        new ClassReader(classFile).accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(text)), 0);
        return text.toString().replace("\r\n", "\n");
    }
}
