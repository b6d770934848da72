package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Which locals the weaver saves at a park, seen in the size of the frame it allocates
 * ({@code Coroutines.frame(frame, refs, prims)}) in {@code DebuggerLocals.compute}, where no
 * local is read after the park: every local the {@code LocalVariableTable} shows in scope with
 * the kind the code gives it, and none without a table.
 */
class SpillDecisionTest {
    private static final String FIXTURE = FixtureProgram.FIXTURES + ".DebuggerLocals";

    @TempDir
    Path classes;

    @Test
    void localsInTheTable_areSavedThoughDead() {
        // base, count, big and ratio are primitives; label and name references.
        assertEquals(List.of(2, 4), frameSize(FixtureProgram.load(FIXTURE)));
    }

    @Test
    void tableEntriesThatDisagreeWithTheCode_areIgnored() {
        // Of the rewritten table, label and name (references) and ratio (a double) agree with the code.
        assertEquals(List.of(2, 1), frameSize(FixtureProgram.load(FIXTURE)
                .withClassFiles(DisagreeingLocalVariableTablesTest::disagree)));
    }

    @Test
    void withoutTable_onlyLiveLocalsAreSaved() {
        String errors = Compilers.javac(List.of("--release", "17", "-g:none"),
                List.of(FixtureProgram.load(FIXTURE).sourceFile()), classes);
        assertTrue(errors.isEmpty(), errors);
        assertEquals(List.of(0, 0), frameSize(FixtureProgram.load(FIXTURE, classes)));
    }

    /** The refs and prims that woven {@code compute} asks {@code Coroutines.frame} for at its one park. */
    private static List<Integer> frameSize(FixtureProgram program) {
        WovenProgram woven = WovenProgram.weave(program);
        assertTrue(woven.diagnostics().isEmpty(), () -> woven.diagnostics().toString());
        ClassNode node = new ClassNode();
        new ClassReader(woven.results().get(FIXTURE).bytes()).accept(node, 0);
        MethodNode compute = node.methods.stream().filter(method -> method.name.equals("compute")).findFirst().orElseThrow();
        List<Integer> sizes = new ArrayList<>();
        for (AbstractInsnNode insn : compute.instructions) {
            if (insn instanceof MethodInsnNode && ((MethodInsnNode) insn).name.equals("frame")
                    && ((MethodInsnNode) insn).owner.equals("io/jasyncio/internal/Coroutines")) {
                sizes.add(pushedInt(insn.getPrevious().getPrevious()));
                sizes.add(pushedInt(insn.getPrevious()));
            }
        }
        return sizes;
    }

    private static int pushedInt(AbstractInsnNode insn) {
        if (insn instanceof IntInsnNode) {
            return ((IntInsnNode) insn).operand;
        }
        int opcode = insn.getOpcode();
        assertTrue(opcode >= Opcodes.ICONST_0 && opcode <= Opcodes.ICONST_5, "not a small int push: " + opcode);
        return opcode - Opcodes.ICONST_0;
    }
}
