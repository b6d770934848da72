package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jasyncio.weaver.WeaveResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LocalVariableNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * What a debugger reads in woven methods stays true, for every fixture of the corpus: wherever
 * an entry of a method's {@code LocalVariableTable} is in scope, its slot holds a value of the
 * entry's kind on every path that reaches there, including the paths through the resume
 * dispatch (a local the weaver did not restore would hold nothing after a resume); and the
 * {@code LineNumberTable} keeps every line the method had. Problems that javac's own class file
 * already has are not the weaver's and are left out.
 */
class LocalVariableTablesStayTrueTest {

    @TestFactory
    Stream<DynamicTest> eachWovenMethod_keepsItsDebugTablesTrue() {
        return FixtureProgram.findAll(FixtureProgram.FIXTURES).stream().filter(CorpusChecks::selected)
                .map(program -> DynamicTest.dynamicTest(program.simpleName(), () -> check(program)));
    }

    private static void check(FixtureProgram program) throws AnalyzerException {
        WovenProgram woven = WovenProgram.weave(program);
        assertTrue(woven.diagnostics().isEmpty(), () -> woven.diagnostics().toString());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, WeaveResult> entry : woven.results().entrySet()) {
            if (!entry.getValue().changed()) {
                continue;
            }
            ClassNode before = node(program.classFiles().get(entry.getKey()));
            ClassNode after = node(entry.getValue().bytes());
            for (MethodNode method : after.methods) {
                MethodNode original = before.methods.stream()
                        .filter(m -> m.name.equals(method.name) && m.desc.equals(method.desc)).findFirst().orElse(null);
                if (original == null || original.localVariables == null) {
                    continue; // a resume bridge, or no table
                }
                Set<String> already = falseEntries(after.name, original);
                for (String problem : falseEntries(after.name, method)) {
                    if (!already.contains(problem)) {
                        problems.add(entry.getKey() + "." + method.name + method.desc + ": " + problem);
                    }
                }
                Set<Integer> lost = lines(original);
                lost.removeAll(lines(method));
                if (!lost.isEmpty()) {
                    problems.add(entry.getKey() + "." + method.name + method.desc + ": lines lost " + lost);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail("the woven debug tables of " + program + " do not match the code:\n" + String.join("\n", problems));
        }
    }

    private static ClassNode node(byte[] classFile) {
        ClassNode node = new ClassNode();
        new ClassReader(classFile).accept(node, 0);
        return node;
    }

    /**
     * The table entries whose slot holds no value of their kind somewhere in their scope: one
     * text per entry, naming it (not where, so that the woven and unwoven methods compare).
     */
    private static Set<String> falseEntries(String owner, MethodNode method) throws AnalyzerException {
        Frame<BasicValue>[] frames = new Analyzer<>(new BasicInterpreter()).analyze(owner, method);
        Set<String> wrong = new LinkedHashSet<>();
        for (LocalVariableNode variable : method.localVariables) {
            int start = method.instructions.indexOf(variable.start);
            int end = method.instructions.indexOf(variable.end);
            for (int i = start; i < end; i++) {
                Frame<BasicValue> frame = frames[i];
                AbstractInsnNode insn = method.instructions.get(i);
                if (frame == null || insn.getOpcode() < 0) {
                    continue; // unreachable, or a label, line or frame: the next instruction tells
                }
                BasicValue value = frame.getLocal(variable.index);
                if (!holds(value, Type.getType(variable.desc))) {
                    wrong.add(variable.name + " " + variable.desc + " in slot " + variable.index + " holds "
                            + (value == null || value.getType() == null ? "no value" : value) + " somewhere in its scope");
                    break;
                }
            }
        }
        return wrong;
    }

    private static boolean holds(BasicValue value, Type declared) {
        if (value == null || value.getType() == null) {
            return false;
        }
        switch (declared.getSort()) {
            case Type.BOOLEAN:
            case Type.CHAR:
            case Type.BYTE:
            case Type.SHORT:
            case Type.INT:
                return value == BasicValue.INT_VALUE;
            case Type.LONG:
                return value == BasicValue.LONG_VALUE;
            case Type.FLOAT:
                return value == BasicValue.FLOAT_VALUE;
            case Type.DOUBLE:
                return value == BasicValue.DOUBLE_VALUE;
            default:
                return value.isReference();
        }
    }

    private static Set<Integer> lines(MethodNode method) {
        Set<Integer> lines = new TreeSet<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof LineNumberNode) {
                lines.add(((LineNumberNode) insn).line);
            }
        }
        return lines;
    }
}
