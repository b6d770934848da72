package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.internal.Coroutines;
import io.jasyncio.weaver.ClassFinder;
import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * What {@code Weaver.weave} promises whatever the shape of the code, checked over every class of
 * the corpus: it never throws, it is deterministic (reproducible builds), it changes no
 * signature, and it marks what it wove with the ABI version.
 */
class WeaverContractTest {
    private static Weaver newWeaver() {
        return new Weaver(ClassFinder.ofClassLoader(WeaverContractTest.class.getClassLoader()));
    }

    /** Every class of every fixture program, valid and misused, by binary name. */
    private static Map<String, byte[]> corpusClasses() {
        Map<String, byte[]> classes = new TreeMap<>();
        for (String packageName : List.of(FixtureProgram.FIXTURES, FixtureProgram.MISUSE)) {
            for (FixtureProgram program : FixtureProgram.findAll(packageName)) {
                classes.putAll(program.classFiles());
            }
        }
        return classes;
    }

    @Test
    void weave_ofBytesThatAreNotAClassFile_returnsThemWithADiagnostic() {
        for (byte[] garbage : new byte[][] {{}, {1, 2, 3}, {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61}}) {
            WeaveResult result = newWeaver().weave(garbage);
            assertFalse(result.changed());
            assertSame(garbage, result.bytes());
            assertEquals(1, result.diagnostics().size(), () -> result.diagnostics().toString());
            Diagnostic diagnostic = result.diagnostics().get(0);
            assertTrue(diagnostic.message().contains("cannot be read"), diagnostic::format);
        }
    }

    @Test
    void weave_whenTheOtherClassesOfTheProgramCannotBeFound_neverThrows() {
        // As when a class's dependencies are missing from the class path: the finder knows only
        // the JDK and the runtime, not the program's other classes.
        ClassLoader testLoader = WeaverContractTest.class.getClassLoader();
        ClassFinder resources = ClassFinder.ofClassLoader(testLoader);
        Weaver weaver = new Weaver(name -> name.startsWith("io/jasyncio/weaver/") ? null : resources.find(name));
        List<String> thrown = new ArrayList<>();
        corpusClasses().forEach((name, bytes) -> {
            try {
                WeaveResult result = weaver.weave(bytes.clone());
                assertEquals(name, result.className());
            } catch (RuntimeException | Error e) {
                thrown.add(name + ": " + e);
            }
        });
        assertEquals(List.of(), thrown);
    }

    /** Its {@code values()} calls {@code clone()} on an array type, which has no class file. */
    enum Shade { LIGHT, DARK }

    @Test
    void weave_ofACallOnAnArray_warnsOfNoMissingClass() throws IOException {
        byte[] bytes;
        try (InputStream in = Shade.class.getResourceAsStream("WeaverContractTest$Shade.class")) {
            bytes = in.readAllBytes();
        }
        WeaveResult result = newWeaver().weave(bytes);
        assertEquals(List.of(), result.warnings());
        assertTrue(result.diagnostics().isEmpty());
        assertFalse(result.changed());
    }

    @Test
    void weave_ofEveryCorpusClass_withTheWholeClassPath_warnsOfNoMissingClass() {
        Weaver weaver = newWeaver();
        Map<String, List<String>> warned = new TreeMap<>();
        corpusClasses().forEach((name, bytes) -> {
            List<String> warnings = weaver.weave(bytes.clone()).warnings();
            if (!warnings.isEmpty()) {
                warned.put(name, warnings);
            }
        });
        assertEquals(Map.of(), warned);
    }

    @Test
    void weave_ofAClassWithoutAsync_leavesItAlone() throws IOException {
        byte[] plain;
        try (InputStream in = HarnessTest.class.getResourceAsStream("HarnessTest.class")) {
            plain = in.readAllBytes();
        }
        WeaveResult result = newWeaver().weave(plain);
        assertEquals(HarnessTest.class.getName(), result.className());
        assertFalse(result.changed());
        assertFalse(result.alreadyWoven());
        assertEquals(0, result.wovenMethods());
        assertTrue(result.diagnostics().isEmpty());
        assertArrayEquals(plain, result.bytes());
    }

    @Test
    void weave_isDeterministic() {
        Weaver first = newWeaver();
        Weaver second = newWeaver();
        List<String> differing = new ArrayList<>();
        corpusClasses().forEach((name, bytes) -> {
            byte[] once = first.weave(bytes.clone()).bytes();
            byte[] again = second.weave(bytes.clone()).bytes();
            byte[] sameWeaverAgain = first.weave(bytes.clone()).bytes();
            if (!Arrays.equals(once, again) || !Arrays.equals(once, sameWeaverAgain)) {
                differing.add(name);
            }
        });
        assertEquals(List.of(), differing, "weaving the same bytes twice gave different class files");
    }

    @Test
    void weave_keepsEveryMethodWithItsNameDescriptorAndAccess() {
        Weaver weaver = newWeaver();
        List<String> problems = new ArrayList<>();
        corpusClasses().forEach((name, bytes) -> {
            ClassNode before = node(bytes);
            ClassNode after = node(weaver.weave(bytes.clone()).bytes());
            if (!before.name.equals(after.name) || !String.valueOf(before.superName).equals(String.valueOf(after.superName))
                    || !before.interfaces.equals(after.interfaces) || before.access != after.access) {
                problems.add(name + ": the class header changed");
            }
            for (MethodNode method : before.methods) {
                MethodNode woven = find(after, method.name, method.desc);
                if (woven == null) {
                    problems.add(name + "." + method.name + method.desc + " is gone");
                } else if (woven.access != method.access) {
                    problems.add(name + "." + method.name + method.desc + ": access " + Integer.toHexString(method.access)
                            + " became " + Integer.toHexString(woven.access));
                } else if (!String.valueOf(woven.signature).equals(String.valueOf(method.signature))) {
                    problems.add(name + "." + method.name + method.desc + ": generic signature changed");
                }
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void wovenMarker_carriesTheAbiVersion() {
        Weaver weaver = newWeaver();
        List<String> problems = new ArrayList<>();
        corpusClasses().forEach((name, bytes) -> {
            WeaveResult result = weaver.weave(bytes.clone());
            if (!result.changed()) {
                return;
            }
            AnnotationNode marker = null;
            ClassNode node = node(result.bytes());
            for (AnnotationNode annotation : node.invisibleAnnotations == null ? List.<AnnotationNode>of() : node.invisibleAnnotations) {
                if (annotation.desc.equals(ClassFacts.WOVEN)) {
                    marker = annotation;
                }
            }
            if (marker == null || marker.values == null || !List.of("version", Coroutines.ABI_VERSION).equals(marker.values)) {
                problems.add(name + ": " + (marker == null ? "no marker" : "marker values " + marker.values));
            }
        });
        assertEquals(List.of(), problems);
    }

    /** Spells the marker's descriptor in a string constant, as a tool or a test might; is not woven. */
    static final class SpellsTheMarker {
        static final String MARKER = "Lio/jasyncio/internal/Woven;";

        @io.jasyncio.Async
        static String nap() {
            io.jasyncio.Asyncio.sleep(0);
            return MARKER;
        }
    }

    @Test
    void weave_ofAClassThatOnlySpellsTheMarker_wovenAllTheSame() throws IOException {
        // Regression: the quick constant-pool scan took any class holding the marker's
        // descriptor for one woven at build time, and left its @Async methods unwoven.
        byte[] plain;
        try (InputStream in = SpellsTheMarker.class.getResourceAsStream("WeaverContractTest$SpellsTheMarker.class")) {
            plain = in.readAllBytes();
        }
        Weaver weaver = newWeaver();
        WeaveResult first = weaver.weave(plain);
        assertFalse(first.alreadyWoven());
        assertTrue(first.changed());
        assertEquals(1, first.wovenMethods());
        WeaveResult again = weaver.weave(first.bytes());
        assertTrue(again.alreadyWoven());
        assertFalse(again.changed());
    }

    @Test
    void classFinder_readsJdkAndTestClassesAndReturnsNullForUnknownOnes() {
        ClassFinder finder = ClassFinder.ofClassLoader(WeaverContractTest.class.getClassLoader());
        assertEquals("java/lang/String", node(finder.find("java/lang/String")).name);
        assertEquals("io/jasyncio/Asyncio", node(finder.find("io/jasyncio/Asyncio")).name);
        assertNull(finder.find("no/such/Type"));
        ClassFinder withoutLoader = ClassFinder.ofClassLoader(null);
        assertEquals("java/util/List", node(withoutLoader.find("java/util/List")).name);
    }

    @Test
    void diagnostic_formatsLikeAStackTraceElement() {
        Diagnostic located = new Diagnostic("p.C", "m", "()V", "C.java", 12, "what", "how");
        assertEquals("p.C.m(C.java:12): what — how", located.format());
        assertEquals("p.C.m(C.java)", new Diagnostic("p.C", "m", "()V", "C.java", -1, "what", "how").location());
        assertEquals("p.C.m(Unknown Source)", new Diagnostic("p.C", "m", "()V", null, 3, "what", "how").location());
    }

    private static ClassNode node(byte[] bytes) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE);
        return node;
    }

    private static MethodNode find(ClassNode node, String name, String descriptor) {
        for (MethodNode method : node.methods) {
            if (method.name.equals(name) && method.desc.equals(descriptor)) {
                return method;
            }
        }
        return null;
    }
}
