package io.jasyncio.weaver.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LocalVariableNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Rewrites one {@code @Async} method into a resumable state machine, in place, and makes its
 * resume bridge. The method keeps its name and descriptor; see {@code weaver/DESIGN.md} for
 * the shape of the result. Works from an immutable plan: the suspending calls, the frame
 * (types) before each and the locals live across it.
 */
final class StateMachineTransformer {

    /** How one value is saved in a frame. */
    enum Kind { REF, INT, LONG, FLOAT, DOUBLE, NULL }

    /** One value live across a suspension point: a local slot or a stack position. */
    record Spill(int slot, Kind kind, Type type, int index, boolean restore) {}

    /** One suspension point and what survives it. */
    record Point(MethodInsnNode call, List<Spill> locals, List<Spill> stack, int refs, int prims) {}

    private final String owner;
    private final boolean ownerIsInterface;
    private final MethodNode method;
    private final String bridgeName;
    private final boolean isStatic;

    private final String sourceFile;
    /** Whether locals a debugger sees (but the code no longer reads) are saved too; see {@link #plan}. */
    private boolean keepDescribedLocals = true;

    StateMachineTransformer(String owner, boolean ownerIsInterface, String sourceFile, MethodNode method, String bridgeName) {
        this.owner = owner;
        this.sourceFile = sourceFile;
        this.ownerIsInterface = ownerIsInterface;
        this.method = method;
        this.bridgeName = bridgeName;
        this.isStatic = (method.access & Opcodes.ACC_STATIC) != 0;
    }

    String bridgeName() {
        return bridgeName;
    }

    /**
     * Saves only the locals the code reads after each park: the fallback for a method that
     * saving every described local pushes over the JVM's code limit. A debugger stopped after a
     * resume then sees the dead ones as 0 or null.
     */
    StateMachineTransformer liveLocalsOnly() {
        keepDescribedLocals = false;
        return this;
    }

    // ---------------------------------------------------------------- planning

    /**
     * Plans the suspension points from the analysis. A local is saved when it is live after the
     * call, or when the {@code LocalVariableTable} shows it to a debugger there
     * ({@link FlowAnalyzer#describedLocals}): one that stops after a resume sees the values that
     * were declared before the park.
     *
     * @throws IllegalArgumentException with a reason when a value cannot be saved
     */
    List<Point> plan(List<MethodInsnNode> calls, Frame<BasicValue>[] frames, BitSet[] live) {
        List<Point> points = new ArrayList<>();
        List<LocalVariableNode> untrue = new ArrayList<>();
        for (MethodInsnNode call : calls) {
            int index = method.instructions.indexOf(call);
            Frame<BasicValue> frame = frames[index];
            if (frame == null) {
                continue; // unreachable
            }
            int[] counts = new int[2];
            List<Spill> locals = new ArrayList<>();
            if (!isStatic) {
                Kind kind = kindOf(frame.getLocal(0));
                if (kind != Kind.REF) {
                    throw new IllegalArgumentException("local slot 0 does not hold 'this' at a suspending call");
                }
                locals.add(new Spill(0, Kind.REF, Type.getObjectType(owner), counts[0]++, live[index].get(0)));
            }
            BitSet kept = (BitSet) live[index].clone();
            for (LocalVariableNode variable : FlowAnalyzer.describingEntries(method, index, frame)) {
                if (keepDescribedLocals) {
                    kept.set(variable.index);
                } else if (!live[index].get(variable.index)) {
                    untrue.add(variable); // not restored after this park: the entry would lie
                }
            }
            for (int slot = isStatic ? 0 : 1; slot < frame.getLocals(); slot++) {
                if (!kept.get(slot)) {
                    continue;
                }
                BasicValue value = frame.getLocal(slot);
                Kind kind = kindOf(value);
                if (kind == null) {
                    continue;
                }
                locals.add(spill(slot, kind, value.getType(), counts, true));
            }
            int arguments = Type.getArgumentTypes(call.desc).length + (call.getOpcode() == Opcodes.INVOKESTATIC ? 0 : 1);
            List<Spill> stack = new ArrayList<>();
            for (int i = 0; i < frame.getStackSize() - arguments; i++) {
                BasicValue value = frame.getStack(i);
                Kind kind = kindOf(value);
                if (kind == null) {
                    throw new IllegalArgumentException("a value on the operand stack cannot be saved across the call");
                }
                stack.add(spill(i, kind, value.getType(), counts, true));
            }
            points.add(new Point(call, locals, stack, counts[0], counts[1]));
        }
        // Saving live locals only, an entry whose local is not restored after some park in its
        // range would show a debugger a value it does not hold: such entries go.
        if (!untrue.isEmpty()) {
            method.localVariables.removeIf(variable -> untrue.stream().anyMatch(dropped -> dropped == variable));
        }
        return points;
    }

    private static Spill spill(int slot, Kind kind, Type type, int[] counts, boolean restore) {
        int index;
        if (kind == Kind.REF) {
            index = counts[0]++;
        } else if (kind == Kind.NULL) {
            index = -1;
        } else {
            index = counts[1]++;
        }
        return new Spill(slot, kind, type, index, restore);
    }

    /** How a value is saved, or null when it is not a value (unused or conflicting slot). */
    static Kind kindOf(BasicValue value) {
        Type type = value == null ? null : value.getType();
        if (type == null) {
            return null;
        }
        switch (type.getSort()) {
            case Type.BOOLEAN:
            case Type.CHAR:
            case Type.BYTE:
            case Type.SHORT:
            case Type.INT:
                return Kind.INT;
            case Type.FLOAT:
                return Kind.FLOAT;
            case Type.LONG:
                return Kind.LONG;
            case Type.DOUBLE:
                return Kind.DOUBLE;
            case Type.ARRAY:
                return Kind.REF;
            case Type.OBJECT:
                return type.getInternalName().equals("null") ? Kind.NULL : Kind.REF;
            default:
                return null; // a return address
        }
    }

    // ---------------------------------------------------------------- rewriting

    /**
     * Rewrites the method for the planned points and returns its resume bridge.
     */
    MethodNode rewrite(List<Point> points) {
        int loopSlot = method.maxLocals;
        int frameSlot = loopSlot + 1;
        int tempBase = loopSlot + 2;
        int maxTemps = 0;
        for (Point point : points) {
            int size = 0;
            for (Spill value : point.stack()) {
                size += value.kind() == Kind.LONG || value.kind() == Kind.DOUBLE ? 2 : 1;
            }
            maxTemps = Math.max(maxTemps, size);
        }
        method.maxLocals = tempBase + maxTemps;

        Type returnType = Type.getReturnType(method.desc);
        LabelNode dispatch = new LabelNode();
        LabelNode tail = new LabelNode();
        InsnList end = new InsnList();
        LabelNode[] restores = new LabelNode[points.size()];

        // Phase 1: at each call, the resume entry and the parking check.
        for (int k = 0; k < points.size(); k++) {
            Point point = points.get(k);
            LabelNode resumed = new LabelNode();
            LabelNode check = new LabelNode();
            LabelNode spill = new LabelNode();
            restores[k] = new LabelNode();
            Type callReturn = Type.getReturnType(point.call().desc);

            InsnList after = new InsnList();
            after.add(new JumpInsnNode(Opcodes.GOTO, check));
            after.add(resumed);
            after.add(new VarInsnNode(Opcodes.ALOAD, loopSlot));
            after.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Names.COROUTINES, "resumeValue", Names.RESUME_VALUE_DESC, false));
            Bytecode.fromObject(after, callReturn);
            after.add(check);
            after.add(new VarInsnNode(Opcodes.ALOAD, loopSlot));
            after.add(new FieldInsnNode(Opcodes.GETFIELD, Names.EVENT_LOOP, "parking", "Z"));
            after.add(new JumpInsnNode(Opcodes.IFNE, spill));
            method.instructions.insert(point.call(), after);

            // Phase 2: the spill block, at the end, outside every try range.
            end.add(spill);
            if (callReturn.getSize() == 2) {
                end.add(new InsnNode(Opcodes.POP2));
            } else if (callReturn.getSize() == 1) {
                end.add(new InsnNode(Opcodes.POP));
            }
            int[] tempSlots = new int[point.stack().size()];
            int next = tempBase;
            for (int i = 0; i < tempSlots.length; i++) {
                tempSlots[i] = next;
                Kind kind = point.stack().get(i).kind();
                next += kind == Kind.LONG || kind == Kind.DOUBLE ? 2 : 1;
            }
            for (int i = point.stack().size() - 1; i >= 0; i--) {
                Spill value = point.stack().get(i);
                if (value.kind() == Kind.NULL) {
                    end.add(new InsnNode(Opcodes.POP));
                } else {
                    end.add(new VarInsnNode(storeOpcode(value.kind()), tempSlots[i]));
                }
            }
            end.add(new VarInsnNode(Opcodes.ALOAD, frameSlot));
            end.add(Bytecode.pushInt(point.refs()));
            end.add(Bytecode.pushInt(point.prims()));
            end.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Names.COROUTINES, "frame", Names.FRAME_FOR_DESC, false));
            end.add(new VarInsnNode(Opcodes.ASTORE, frameSlot));
            end.add(new VarInsnNode(Opcodes.ALOAD, frameSlot));
            end.add(Bytecode.pushInt(k));
            end.add(new FieldInsnNode(Opcodes.PUTFIELD, Names.FRAME, "state", "I"));
            for (Spill value : point.locals()) {
                saveValue(end, frameSlot, value, value.slot());
            }
            for (int i = 0; i < tempSlots.length; i++) {
                saveValue(end, frameSlot, point.stack().get(i), tempSlots[i]);
            }
            end.add(new VarInsnNode(Opcodes.ALOAD, frameSlot));
            end.add(new JumpInsnNode(Opcodes.GOTO, tail));

            // Phase 3: the restore block, reached from the dispatch.
            InsnList restore = new InsnList();
            restore.add(restores[k]);
            for (Spill value : point.locals()) {
                if (value.restore()) {
                    loadValue(restore, frameSlot, value);
                    restore.add(new VarInsnNode(storeOpcode(value.kind()), value.slot()));
                }
            }
            for (Spill value : point.stack()) {
                loadValue(restore, frameSlot, value);
            }
            restore.add(new JumpInsnNode(Opcodes.GOTO, resumed));
            restoreBlocks.add(restore);
        }

        // Phase 4: the shared tail, which links the frame and returns a dummy.
        end.add(tail);
        end.add(new InvokeDynamicInsnNode("resume", "()" + Names.RESUMER_DESC, metafactory(),
                Type.getMethodType(Names.RESUME_DESC),
                new Handle(Opcodes.H_INVOKESTATIC, owner, bridgeName, Names.RESUME_DESC, ownerIsInterface),
                Type.getMethodType(Names.RESUME_DESC)));
        end.add(new VarInsnNode(Opcodes.ALOAD, loopSlot));
        end.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Names.COROUTINES, "parked", Names.PARKED_DESC, false));
        Bytecode.returnDefault(end, returnType);

        // Phase 5: the dispatch on resume, then the restore blocks.
        end.add(dispatch);
        LabelNode corrupt = new LabelNode();
        end.add(new VarInsnNode(Opcodes.ALOAD, frameSlot));
        end.add(new FieldInsnNode(Opcodes.GETFIELD, Names.FRAME, "state", "I"));
        end.add(new TableSwitchInsnNode(0, points.size() - 1, corrupt, restores));
        for (InsnList restore : restoreBlocks) {
            end.add(restore);
        }
        end.add(corrupt);
        Bytecode.throwIllegalState(end, "jasyncio: corrupt frame state resuming " + Bytecode.methodName(owner, method.name));
        method.instructions.add(end);

        // Phase 6: the prologue.
        InsnList prologue = new InsnList();
        int firstLine = Bytecode.firstLine(method);
        if (firstLine > 0) {
            LabelNode start = new LabelNode();
            prologue.add(start);
            prologue.add(new LineNumberNode(firstLine, start));
        }
        prologue.add(new LdcInsnNode(owner.replace('/', '.') + "." + method.name));
        prologue.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Names.COROUTINES, "enter", Names.ENTER_DESC, false));
        prologue.add(new VarInsnNode(Opcodes.ASTORE, loopSlot));
        prologue.add(new VarInsnNode(Opcodes.ALOAD, loopSlot));
        prologue.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Names.COROUTINES, "resumeFrame", Names.RESUME_FRAME_DESC, false));
        prologue.add(new InsnNode(Opcodes.DUP));
        prologue.add(new VarInsnNode(Opcodes.ASTORE, frameSlot));
        prologue.add(new JumpInsnNode(Opcodes.IFNONNULL, dispatch));
        method.instructions.insert(prologue);

        return bridge(points);
    }

    private final List<InsnList> restoreBlocks = new ArrayList<>();

    /** For a method that never suspends: only the entry check. */
    void addEntryCheck() {
        InsnList prologue = new InsnList();
        prologue.add(new LdcInsnNode(owner.replace('/', '.') + "." + method.name));
        prologue.add(new MethodInsnNode(Opcodes.INVOKESTATIC, Names.COROUTINES, "enter", Names.ENTER_DESC, false));
        prologue.add(new InsnNode(Opcodes.POP));
        method.instructions.insert(prologue);
    }


    private static int storeOpcode(Kind kind) {
        switch (kind) {
            case INT: return Opcodes.ISTORE;
            case LONG: return Opcodes.LSTORE;
            case FLOAT: return Opcodes.FSTORE;
            case DOUBLE: return Opcodes.DSTORE;
            default: return Opcodes.ASTORE;
        }
    }

    private static int loadOpcode(Kind kind) {
        switch (kind) {
            case INT: return Opcodes.ILOAD;
            case LONG: return Opcodes.LLOAD;
            case FLOAT: return Opcodes.FLOAD;
            case DOUBLE: return Opcodes.DLOAD;
            default: return Opcodes.ALOAD;
        }
    }

    /** frame.refs[i] = local, or frame.prims[j] = bits(local). */
    private static void saveValue(InsnList code, int frameSlot, Spill value, int slot) {
        if (value.kind() == Kind.NULL) {
            return;
        }
        boolean ref = value.kind() == Kind.REF;
        code.add(new VarInsnNode(Opcodes.ALOAD, frameSlot));
        code.add(new FieldInsnNode(Opcodes.GETFIELD, Names.FRAME, ref ? "refs" : "prims", ref ? "[Ljava/lang/Object;" : "[J"));
        code.add(Bytecode.pushInt(value.index()));
        code.add(new VarInsnNode(loadOpcode(value.kind()), slot));
        switch (value.kind()) {
            case INT:
                code.add(new InsnNode(Opcodes.I2L));
                break;
            case FLOAT:
                code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false));
                code.add(new InsnNode(Opcodes.I2L));
                break;
            case DOUBLE:
                code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false));
                break;
            default:
                break;
        }
        code.add(new InsnNode(ref ? Opcodes.AASTORE : Opcodes.LASTORE));
    }

    /** Pushes a saved value back, with its type. */
    private static void loadValue(InsnList code, int frameSlot, Spill value) {
        if (value.kind() == Kind.NULL) {
            code.add(new InsnNode(Opcodes.ACONST_NULL));
            return;
        }
        boolean ref = value.kind() == Kind.REF;
        code.add(new VarInsnNode(Opcodes.ALOAD, frameSlot));
        code.add(new FieldInsnNode(Opcodes.GETFIELD, Names.FRAME, ref ? "refs" : "prims", ref ? "[Ljava/lang/Object;" : "[J"));
        code.add(Bytecode.pushInt(value.index()));
        code.add(new InsnNode(ref ? Opcodes.AALOAD : Opcodes.LALOAD));
        switch (value.kind()) {
            case REF:
                if (!value.type().getInternalName().equals("java/lang/Object")) {
                    code.add(new TypeInsnNode(Opcodes.CHECKCAST, value.type().getInternalName()));
                }
                break;
            case INT:
                code.add(new InsnNode(Opcodes.L2I));
                break;
            case FLOAT:
                code.add(new InsnNode(Opcodes.L2I));
                code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false));
                break;
            case DOUBLE:
                code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false));
                break;
            default:
                break;
        }
    }

    /**
     * What the bridge answers when asked with a {@code null} frame: the method and the line of
     * each suspension point, tab-separated, for async stack traces
     * ({@code io.jasyncio.internal.AsyncStackTrace}).
     */
    private String site(List<Point> points) {
        StringBuilder lines = new StringBuilder();
        for (Point point : points) {
            lines.append(lines.length() == 0 ? "" : ",").append(Bytecode.lineOf(point.call()));
        }
        return owner.replace('/', '.') + "\t" + method.name + "\t" + (sourceFile == null ? "" : sourceFile) + "\t" + lines;
    }

    private static Handle metafactory() {
        return new Handle(Opcodes.H_INVOKESTATIC, Names.LAMBDA_METAFACTORY, "metafactory",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
                        + "Ljava/lang/invoke/MethodType;Ljava/lang/invoke/MethodHandle;Ljava/lang/invoke/MethodType;)"
                        + "Ljava/lang/invoke/CallSite;", false);
    }

    /**
     * {@code private static Object name$resumeN(Frame frame)}: re-enters the method in resume
     * mode (the loop has set the frame to resume) with dummy arguments, and boxes its result.
     * Instance methods are re-entered with {@code invokespecial} on the receiver saved in
     * {@code refs[0]}, so an override in a subclass is never called instead.
     */
    private MethodNode bridge(List<Point> points) {
        MethodNode bridge = new MethodNode(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
                bridgeName, Names.RESUME_DESC, null, new String[] {"java/lang/Throwable"});
        InsnList code = bridge.instructions;
        LabelNode resume = new LabelNode();
        code.add(new VarInsnNode(Opcodes.ALOAD, 0));
        code.add(new JumpInsnNode(Opcodes.IFNONNULL, resume));
        code.add(new LdcInsnNode(site(points)));
        code.add(new InsnNode(Opcodes.ARETURN));
        code.add(resume);
        if (!isStatic) {
            code.add(new VarInsnNode(Opcodes.ALOAD, 0));
            code.add(new FieldInsnNode(Opcodes.GETFIELD, Names.FRAME, "refs", "[Ljava/lang/Object;"));
            code.add(new InsnNode(Opcodes.ICONST_0));
            code.add(new InsnNode(Opcodes.AALOAD));
            code.add(new TypeInsnNode(Opcodes.CHECKCAST, owner));
        }
        for (Type argument : Type.getArgumentTypes(method.desc)) {
            Bytecode.pushDefault(code, argument);
        }
        code.add(new MethodInsnNode(isStatic ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL,
                owner, method.name, method.desc, ownerIsInterface));
        Bytecode.toObject(code, Type.getReturnType(method.desc));
        code.add(new InsnNode(Opcodes.ARETURN));
        return bridge;
    }
}
