package io.jasyncio.weaver.corpus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LocalVariableNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The corpus again, with class files whose {@code LocalVariableTable}s disagree with the code,
 * as obfuscators, bytecode tools and buggy compilers leave them and javac never does. The code
 * is untouched; in each method, in turn, one entry gets a descriptor of another kind, the next
 * is stretched over the whole method (over paths where its slot is unassigned or holds another
 * type), the next is removed, the next is kept; and an extra {@code long} entry claims slot 0
 * everywhere. The weaver saves the locals a table shows in scope at a park only when the code
 * agrees with it ({@code FlowAnalyzer.describedLocals}): every fixture must still weave, verify
 * and print its expected output.
 */
class DisagreeingLocalVariableTablesTest {

    @TestFactory
    Stream<DynamicContainer> eachFixtureWithDisagreeingTables_weavesVerifiesAndRunsAsPlainJava() {
        return CorpusChecks.containers(FixtureProgram.findAll(FixtureProgram.FIXTURES).stream()
                .map(program -> program.withClassFiles(DisagreeingLocalVariableTablesTest::disagree))
                .collect(Collectors.toList()));
    }

    @Test
    void disagree_rewritesTheTablesAsDescribed() {
        FixtureProgram program = FixtureProgram.load(FixtureProgram.FIXTURES + ".DebuggerLocals");
        ClassNode node = new ClassNode();
        new ClassReader(disagree(program.classFiles().get(program.className()))).accept(node, 0);
        MethodNode compute = node.methods.stream().filter(method -> method.name.equals("compute")).findFirst().orElseThrow();
        List<String> table = compute.localVariables.stream()
                .map(variable -> variable.name + ":" + variable.desc + "@" + variable.index)
                .collect(Collectors.toList());
        // javac's table: base I 0, label String 1, count I 2, name String 3, big J 4, ratio D 6, after String 8;
        // base and big change kind, label and ratio are stretched, count and after are removed.
        assertEquals(List.of("base:Ljava/lang/String;@0", "label:Ljava/lang/String;@1", "name:Ljava/lang/String;@3",
                "big:D@4", "ratio:D@6", "ghost$:J@0"), table);
        LocalVariableNode stretched = compute.localVariables.get(1);
        assertEquals(0, compute.instructions.indexOf(stretched.start), "the second entry covers the whole method");
        assertEquals(compute.instructions.size() - 1, compute.instructions.indexOf(stretched.end));
    }

    /** The class file with every method's local variable table rewritten as the class comment says. */
    static byte[] disagree(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new TableRewriter(super.visitMethod(access, name, descriptor, signature, exceptions));
            }
        }, 0);
        return writer.toByteArray();
    }

    /** One entry of a local variable table. */
    private record Entry(String name, String descriptor, Label start, Label end, int slot) {}

    private static final class TableRewriter extends MethodVisitor {
        private final List<Entry> entries = new ArrayList<>();
        private Label first;

        TableRewriter(MethodVisitor target) {
            super(Opcodes.ASM9, target);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            first = new Label();
            super.visitLabel(first);
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end, int slot) {
            entries.add(new Entry(name, descriptor, start, end, slot)); // the generic signature (LVTT) is dropped
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            Label last = new Label();
            super.visitLabel(last);
            Set<String> stretched = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                Entry entry = entries.get(i);
                switch (i % 4) {
                    case 0:
                        super.visitLocalVariable(entry.name(), otherKind(entry.descriptor()), null, entry.start(),
                                entry.end(), entry.slot());
                        break;
                    case 1:
                        // The JVM rejects two entries with the same name, slot and range.
                        boolean first = stretched.add(entry.name() + "/" + entry.slot());
                        super.visitLocalVariable(entry.name(), entry.descriptor(), null, first ? this.first : entry.start(),
                                first ? last : entry.end(), entry.slot());
                        break;
                    case 2:
                        break;
                    default:
                        super.visitLocalVariable(entry.name(), entry.descriptor(), null, entry.start(), entry.end(),
                                entry.slot());
                }
            }
            if (first != null && maxLocals >= 2) {
                super.visitLocalVariable("ghost$", "J", null, first, last, 0);
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        /** A descriptor of another kind than {@code descriptor}. */
        private static String otherKind(String descriptor) {
            switch (Type.getType(descriptor).getSort()) {
                case Type.OBJECT:
                case Type.ARRAY:
                    return "I";
                case Type.LONG:
                    return "D";
                case Type.DOUBLE:
                    return "J";
                case Type.FLOAT:
                    return "Ljava/lang/Object;";
                default:
                    return "Ljava/lang/String;";
            }
        }
    }
}
