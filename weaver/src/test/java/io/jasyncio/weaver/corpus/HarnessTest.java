package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The corpus machinery itself, independent of the weaver: it must catch what it claims to catch. */
class HarnessTest {

    @Test
    void verify_reportsAMethodThatPopsAnEmptyStack() {
        String problems = WovenProgram.verify(brokenClass(), HarnessTest.class.getClassLoader());
        assertTrue(problems.startsWith("method broken()V: Error at instruction 0: Cannot pop operand off an empty stack."), problems);
    }

    @Test
    void verify_isSilentOnASoundClass() {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + ".NeverParks");
        byte[] bytes = program.classFiles().get(program.className());
        assertEquals("", WovenProgram.verify(bytes, HarnessTest.class.getClassLoader()));
    }

    @Test
    void link_reportsWhatOnlyTheJvmVerifierCatches() {
        // SimpleVerifier does not track uninitialized objects: a second <init> call passes CheckClassAdapter.
        byte[] bytes = constructorCalledTwice();
        assertEquals("", WovenProgram.verify(bytes, HarnessTest.class.getClassLoader()));
        FixtureClassLoader loader = new FixtureClassLoader("Twice", Map.of("Twice", bytes), HarnessTest.class.getClassLoader());
        String report = WovenProgram.link(List.of("Twice"), loader);
        assertTrue(report.startsWith("--- Twice\njava.lang.VerifyError"), report);
    }

    @Test
    void fixtureClassLoader_refusesClassesOfOtherFixtures() {
        FixtureClassLoader loader = new FixtureClassLoader("Empty", Map.of(), HarnessTest.class.getClassLoader());
        ClassNotFoundException refused = assertThrows(ClassNotFoundException.class,
                () -> loader.loadClass(FixtureProgram.FIXTURES + ".NeverParks"));
        assertTrue(refused.getMessage().contains("self-contained"), refused.getMessage());
    }

    @Test
    void fixtureClassLoader_definesTheProgramItselfAndDelegatesTheRuntime() throws ClassNotFoundException {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + ".NeverParks");
        FixtureClassLoader loader = new FixtureClassLoader("NeverParks", program.classFiles(),
                HarnessTest.class.getClassLoader());
        assertEquals(loader, loader.loadClass(program.className()).getClassLoader());
        assertEquals(HarnessTest.class.getClassLoader(), loader.loadClass("io.jasyncio.Asyncio").getClassLoader());
    }

    @Test
    void programRun_capturesOutputOfAProgramThatNeverParks() {
        // NeverParks needs no weaving to run right: its task never parks.
        FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + ".NeverParks");
        FixtureClassLoader loader = new FixtureClassLoader("NeverParks", program.classFiles(),
                HarnessTest.class.getClassLoader());
        ProgramRun run = ProgramRun.run(loader, program.className(), Duration.ofSeconds(30));
        assertEquals("", run.describeProblems());
        assertEquals("direct=21 maybe=21\nrun returned 42\n", run.stdout());
    }

    @Test
    void textDiff_namesTheFirstDifferentLine() {
        assertNull(TextDiff.firstDifference("a\nb\n", "a\nb\n"));
        assertEquals("first difference at line 2: expected <b> but was <c>", TextDiff.firstDifference("a\nb\n", "a\nc\n"));
        assertEquals("first difference at line 2: expected <b> but was the end of the output",
                TextDiff.firstDifference("a\nb", "a"));
    }

    @Test
    void sourceMarker_findsTheMarkedLine() {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.MISUSE + ".SuspendInPlainMethod");
        int line = SourceMarker.line(program.sourceFile(), "// MISUSE");
        assertFalse(SourceMarker.lines(program.sourceFile(), "// MISUSE").isEmpty());
        assertTrue(line > 1);
    }

    /** A class whose static method {@code twice()} calls {@code Object.<init>} twice on one object. */
    private static byte[] constructorCalledTwice() {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "Twice", null, "java/lang/Object", null);
        MethodVisitor method = writer.visitMethod(Opcodes.ACC_STATIC, "twice", "()V", null, null);
        method.visitCode();
        method.visitTypeInsn(Opcodes.NEW, "java/lang/Object");
        method.visitInsn(Opcodes.DUP);
        method.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        method.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        method.visitInsn(Opcodes.RETURN);
        method.visitMaxs(0, 0);
        method.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    /** A class whose static method {@code broken()} pops a value that is not there. */
    private static byte[] brokenClass() {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "Broken", null, "java/lang/Object", null);
        MethodVisitor method = writer.visitMethod(Opcodes.ACC_STATIC, "broken", "()V", null, null);
        method.visitCode();
        method.visitInsn(Opcodes.POP);
        method.visitInsn(Opcodes.RETURN);
        method.visitMaxs(1, 0);
        method.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
