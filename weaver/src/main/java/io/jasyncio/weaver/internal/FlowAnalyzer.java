package io.jasyncio.weaver.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.LocalVariableNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.Interpreter;

/**
 * Runs ASM's {@link Analyzer} and keeps what it does not: the control-flow graph, normal and
 * exceptional edges apart. From it: which locals are live at each instruction (backward
 * dataflow) and how many monitors are held there (forward dataflow). Read-only.
 *
 * <p>Liveness alone would let a debugger stopped after a resume see zero or {@code null} in a
 * local that the code no longer reads; {@link #describedLocals} names the locals that the
 * method's {@code LocalVariableTable} says are in scope, which the weaver keeps too.
 *
 * <p>For monitors, an exception edge to a handler listed after a catch-any handler that covers
 * the same instruction is not taken: javac guards each {@code synchronized} body with a
 * catch-any handler that releases the monitor, and that handler shadows the enclosing ones.
 */
final class FlowAnalyzer extends Analyzer<BasicValue> {
    private final List<List<Integer>> normalEdges = new ArrayList<>();
    private final List<List<Integer>> exceptionEdges = new ArrayList<>();
    /**
     * Per instruction, how many of its exception edges (in exception-table order) can be taken:
     * none after the first catch-any handler, which catches everything first.
     */
    private final List<int[]> reachableHandlers = new ArrayList<>();

    FlowAnalyzer(Interpreter<BasicValue> interpreter) {
        super(interpreter);
    }

    private MethodNode method;

    Frame<BasicValue>[] run(String owner, MethodNode method) throws AnalyzerException {
        this.method = method;
        int size = method.instructions.size();
        normalEdges.clear();
        exceptionEdges.clear();
        for (int i = 0; i < size; i++) {
            normalEdges.add(new ArrayList<>(2));
            exceptionEdges.add(new ArrayList<>(1));
            reachableHandlers.add(new int[] {-1});
        }
        return analyze(owner, method);
    }

    @Override
    protected void newControlFlowEdge(int insn, int successor) {
        normalEdges.get(insn).add(successor);
    }

    @Override
    protected boolean newControlFlowExceptionEdge(int insn, TryCatchBlockNode handler) {
        List<Integer> edges = exceptionEdges.get(insn);
        edges.add(method.instructions.indexOf(handler.handler));
        int[] reachable = reachableHandlers.get(insn);
        if (reachable[0] < 0 && handler.type == null) {
            reachable[0] = edges.size();
        }
        return true;
    }

    /** For each instruction, the local slots read on some path from it before being written. */
    BitSet[] liveLocals(MethodNode method) {
        int size = method.instructions.size();
        BitSet[] use = new BitSet[size];
        int[] def = new int[size];
        for (int i = 0; i < size; i++) {
            AbstractInsnNode insn = method.instructions.get(i);
            use[i] = new BitSet();
            def[i] = -1;
            if (insn instanceof VarInsnNode) {
                VarInsnNode var = (VarInsnNode) insn;
                if (var.getOpcode() >= Opcodes.ISTORE && var.getOpcode() <= Opcodes.ASTORE) {
                    def[i] = var.var;
                } else {
                    use[i].set(var.var);
                }
            } else if (insn instanceof IincInsnNode) {
                use[i].set(((IincInsnNode) insn).var);
            }
        }
        BitSet[] in = new BitSet[size];
        for (int i = 0; i < size; i++) {
            in[i] = new BitSet();
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = size - 1; i >= 0; i--) {
                BitSet out = new BitSet();
                for (int successor : normalEdges.get(i)) {
                    out.or(in[successor]);
                }
                for (int successor : exceptionEdges.get(i)) {
                    out.or(in[successor]);
                }
                if (def[i] >= 0) {
                    out.clear(def[i]);
                }
                out.or(use[i]);
                if (!out.equals(in[i])) {
                    in[i] = out;
                    changed = true;
                }
            }
        }
        return in;
    }

    /**
     * The local slots that the method's {@code LocalVariableTable} shows to a debugger at
     * instruction {@code index}: an entry covers it, and the value that {@code frame} (the
     * analysed frame there) holds in the slot has the entry's kind (an {@code int}-like, a
     * {@code long}, a {@code float}, a {@code double}, or a reference or {@code null} for an
     * object or array descriptor). An entry that disagrees with the code (compilers and
     * bytecode tools can write such tables) is ignored, as is a slot with no value there. Empty
     * when the method has no table ({@code -g:none}).
     */
    static BitSet describedLocals(MethodNode method, int index, Frame<BasicValue> frame) {
        BitSet described = new BitSet();
        for (LocalVariableNode variable : describingEntries(method, index, frame)) {
            described.set(variable.index);
        }
        return described;
    }

    /** The entries of the {@code LocalVariableTable} behind {@link #describedLocals}. */
    static List<LocalVariableNode> describingEntries(MethodNode method, int index, Frame<BasicValue> frame) {
        List<LocalVariableNode> entries = new ArrayList<>();
        if (method.localVariables == null) {
            return entries;
        }
        for (LocalVariableNode variable : method.localVariables) {
            if (variable.index >= frame.getLocals()
                    || method.instructions.indexOf(variable.start) > index
                    || method.instructions.indexOf(variable.end) <= index) {
                continue;
            }
            Type value = frame.getLocal(variable.index).getType();
            if (value != null && sameKind(value, Type.getType(variable.desc))) {
                entries.add(variable);
            }
        }
        return entries;
    }

    /** Whether a value of type {@code value} can be what a variable declared {@code declared} holds. */
    private static boolean sameKind(Type value, Type declared) {
        switch (declared.getSort()) {
            case Type.BOOLEAN:
            case Type.CHAR:
            case Type.BYTE:
            case Type.SHORT:
            case Type.INT:
                return value.getSort() == Type.INT;
            case Type.OBJECT:
            case Type.ARRAY:
                return value.getSort() == Type.OBJECT || value.getSort() == Type.ARRAY;
            default:
                return value.getSort() == declared.getSort();
        }
    }

    /**
     * For each instruction, how many monitors may be held when it runs (the most over all
     * paths); -1 where unreachable. An exception handler starts with the count of the
     * instructions it covers.
     */
    int[] monitorDepths(MethodNode method) {
        int size = method.instructions.size();
        int[] depth = new int[size];
        java.util.Arrays.fill(depth, -1);
        if (size == 0) {
            return depth;
        }
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        depth[0] = 0;
        work.add(0);
        while (!work.isEmpty()) {
            int i = work.poll();
            int opcode = method.instructions.get(i).getOpcode();
            int after = depth[i];
            if (opcode == Opcodes.MONITORENTER) {
                after++;
            } else if (opcode == Opcodes.MONITOREXIT) {
                after = Math.max(0, after - 1);
            }
            after = Math.min(after, 64);
            for (int successor : normalEdges.get(i)) {
                if (after > depth[successor]) {
                    depth[successor] = after;
                    work.add(successor);
                }
            }
            List<Integer> handlers = exceptionEdges.get(i);
            int reachable = reachableHandlers.get(i)[0] < 0 ? handlers.size() : reachableHandlers.get(i)[0];
            for (int successor : handlers.subList(0, reachable)) {
                if (depth[i] > depth[successor]) {
                    depth[successor] = depth[i];
                    work.add(successor);
                }
            }
        }
        return depth;
    }
}
