package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LocalVariableNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Saving every local a debugger can see (not only the live ones) grows woven code; when that
 * alone pushes a method over the JVM's 64 KiB limit, the weaver weaves the method again saving
 * live locals only, rather than refusing it, and drops the table entries of the locals it no
 * longer restores so that a debugger is never shown a value the slot does not hold. The
 * fixture's output is checked by the corpus tests like any other; this test checks that it went
 * through the fallback.
 */
class DebuggerLocalsFallbackTest {

    @Test
    void aMethodTooLargeOnlyBecauseOfDebuggerLocals_isWovenWithLiveLocalsOnly() {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + ".DebuggerLocalsOverTheLimit");
        WovenProgram woven = WovenProgram.weave(program);
        assertEquals(List.of(), woven.diagnostics(), "the method must be woven, not reported too large");

        byte[] bytes = woven.wovenClasses().get(FixtureProgram.FIXTURES + ".DebuggerLocalsOverTheLimit");
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, 0);
        MethodNode wide = node.methods.stream().filter(method -> method.name.equals("wide")).findFirst().orElseThrow();
        Set<String> names = new TreeSet<>();
        for (LocalVariableNode variable : wide.localVariables) {
            names.add(variable.name);
        }
        // v0..v59 are dead after the sum, so not restored after a park: their entries went.
        assertTrue(names.stream().noneMatch(name -> name.matches("v\\d+")), names::toString);
        // The locals read after parks are restored and keep their entries.
        assertTrue(names.containsAll(Set.of("sum", "parks")), names::toString);
    }
}
