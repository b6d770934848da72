package io.jasyncio.weaver.internal;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.Interpreter;

/**
 * Makes {@code new P(f(), g())} with {@code f} suspending weavable. An object under
 * construction cannot be stored anywhere but the operand stack, so it cannot be spilled; javac
 * emits {@code NEW P; DUP} before evaluating the arguments (ECJ emits no {@code DUP} when the
 * new object is not used). For each such {@code NEW} whose uninitialized value is on the stack
 * at a suspension point, this removes the {@code NEW} (and its {@code DUP}) and, right before
 * the constructor call, stores the evaluated arguments in fresh locals, allocates the object
 * and reloads them. Allocation then happens after the arguments are
 * evaluated; that is visible only to a constructor argument that observes allocation order,
 * which Java code cannot do. (The Kotlin compiler does the same.)
 */
final class ConstructorRelocator {
    private ConstructorRelocator() {}

    /** The value of a {@code NEW} until its constructor runs; equal only to itself. */
    private static final class Uninitialized extends BasicValue {
        final TypeInsnNode allocation;

        Uninitialized(TypeInsnNode allocation) {
            super(Type.getObjectType(allocation.desc));
            this.allocation = allocation;
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private static final class Tracking extends BasicInterpreter {
        /**
         * One value per {@code NEW}: the analyzer interprets an instruction again whenever the
         * frame before it changes (a loop, a catch joining), and two passes must agree.
         */
        private final Map<AbstractInsnNode, Uninitialized> values = new HashMap<>();

        Tracking() {
            super(Opcodes.ASM9);
        }

        @Override
        public BasicValue newOperation(AbstractInsnNode insn) throws AnalyzerException {
            if (insn.getOpcode() == Opcodes.NEW) {
                return values.computeIfAbsent(insn, allocation -> new Uninitialized((TypeInsnNode) allocation));
            }
            return super.newOperation(insn);
        }

        @Override
        public BasicValue merge(BasicValue value1, BasicValue value2) {
            if (value1 == value2) {
                return value1;
            }
            if (value1 instanceof Uninitialized || value2 instanceof Uninitialized) {
                return BasicValue.UNINITIALIZED_VALUE;
            }
            return super.merge(value1, value2);
        }
    }

    /** A frame that, when a constructor runs, marks every copy of the object as initialized. */
    private static final class InitializingFrame extends Frame<BasicValue> {
        final Map<AbstractInsnNode, TypeInsnNode> constructors;

        InitializingFrame(int locals, int stack, Map<AbstractInsnNode, TypeInsnNode> constructors) {
            super(locals, stack);
            this.constructors = constructors;
        }

        @Override
        public void execute(AbstractInsnNode insn, Interpreter<BasicValue> interpreter) throws AnalyzerException {
            if (insn.getOpcode() != Opcodes.INVOKESPECIAL || !"<init>".equals(((MethodInsnNode) insn).name)) {
                super.execute(insn, interpreter);
                return;
            }
            int arguments = Type.getArgumentTypes(((MethodInsnNode) insn).desc).length;
            BasicValue receiver = getStack(getStackSize() - arguments - 1);
            super.execute(insn, interpreter);
            if (receiver instanceof Uninitialized) {
                constructors.put(insn, ((Uninitialized) receiver).allocation);
                BasicValue initialized = new BasicValue(receiver.getType());
                for (int i = 0; i < getLocals(); i++) {
                    if (getLocal(i) == receiver) {
                        setLocal(i, initialized);
                    }
                }
                for (int i = 0; i < getStackSize(); i++) {
                    if (getStack(i) == receiver) {
                        setStack(i, initialized);
                    }
                }
            }
        }
    }

    /**
     * Relocates the allocations that are pending at a suspension point.
     *
     * @param suspensions the suspending call instructions
     * @return a reason when an allocation cannot be relocated, {@code null} when all went well
     */
    static String relocate(String owner, MethodNode method, Set<AbstractInsnNode> suspensions) throws AnalyzerException {
        Map<AbstractInsnNode, TypeInsnNode> constructors = new HashMap<>();
        Analyzer<BasicValue> analyzer = new Analyzer<>(new Tracking()) {
            @Override
            protected Frame<BasicValue> newFrame(int numLocals, int numStack) {
                return new InitializingFrame(numLocals, numStack, constructors);
            }

            @Override
            protected Frame<BasicValue> newFrame(Frame<? extends BasicValue> frame) {
                InitializingFrame copy = new InitializingFrame(frame.getLocals(), frame.getMaxStackSize(), constructors);
                copy.init(frame);
                return copy;
            }
        };
        Frame<BasicValue>[] frames = analyzer.analyze(owner, method);
        Set<TypeInsnNode> pending = new LinkedHashSet<>();
        for (AbstractInsnNode suspension : suspensions) {
            Frame<BasicValue> frame = frames[method.instructions.indexOf(suspension)];
            if (frame == null) {
                continue;
            }
            for (int i = 0; i < frame.getStackSize(); i++) {
                if (frame.getStack(i) instanceof Uninitialized) {
                    pending.add(((Uninitialized) frame.getStack(i)).allocation);
                }
            }
            for (int i = 0; i < frame.getLocals(); i++) {
                if (frame.getLocal(i) instanceof Uninitialized) {
                    return "an object under construction is kept in a local variable across a suspending call";
                }
            }
        }
        if (pending.isEmpty()) {
            return null;
        }
        Map<TypeInsnNode, MethodInsnNode> constructorOf = new HashMap<>();
        constructors.forEach((call, allocation) -> constructorOf.put(allocation, (MethodInsnNode) call));
        // Decide for every allocation before changing the code: the frames are indexed by it.
        Map<TypeInsnNode, Boolean> keepsResult = new HashMap<>();
        for (TypeInsnNode allocation : pending) {
            MethodInsnNode constructor = constructorOf.get(allocation);
            Frame<BasicValue> atConstructor = constructor == null ? null : frames[method.instructions.indexOf(constructor)];
            int copies = atConstructor == null ? -1 : copiesOf(atConstructor, allocation);
            AbstractInsnNode next = allocation.getNext();
            boolean kept = copies == 2 && next != null && next.getOpcode() == Opcodes.DUP; // javac: new P(...) used
            boolean dropped = copies == 1; // ECJ: new P(...) for its side effects only, no DUP
            if (!kept && !dropped) {
                return "an object under construction (new " + allocation.desc.replace('/', '.')
                        + ") is on the stack across a suspending call in a bytecode shape the weaver does not know";
            }
            keepsResult.put(allocation, kept);
        }
        for (TypeInsnNode allocation : pending) {
            MethodInsnNode constructor = constructorOf.get(allocation);
            boolean kept = keepsResult.get(allocation);
            if (kept) {
                method.instructions.remove(allocation.getNext());
            }
            method.instructions.remove(allocation);
            method.instructions.insertBefore(constructor,
                    allocateAfterArguments(method, allocation.desc, constructor.desc, kept));
        }
        return null;
    }

    private static int copiesOf(Frame<BasicValue> frame, TypeInsnNode allocation) {
        int copies = 0;
        for (int i = 0; i < frame.getStackSize(); i++) {
            BasicValue value = frame.getStack(i);
            if (value instanceof Uninitialized && ((Uninitialized) value).allocation == allocation) {
                copies++;
            }
        }
        return copies;
    }

    private static InsnList allocateAfterArguments(MethodNode method, String type, String constructorDescriptor,
                                                   boolean keepResult) {
        Type[] arguments = Type.getArgumentTypes(constructorDescriptor);
        int[] slots = new int[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            slots[i] = method.maxLocals;
            method.maxLocals += arguments[i].getSize();
        }
        InsnList code = new InsnList();
        for (int i = arguments.length - 1; i >= 0; i--) {
            code.add(new VarInsnNode(arguments[i].getOpcode(Opcodes.ISTORE), slots[i]));
        }
        code.add(new TypeInsnNode(Opcodes.NEW, type));
        if (keepResult) {
            code.add(new InsnNode(Opcodes.DUP));
        }
        for (int i = 0; i < arguments.length; i++) {
            code.add(new VarInsnNode(arguments[i].getOpcode(Opcodes.ILOAD), slots[i]));
        }
        return code;
    }
}
