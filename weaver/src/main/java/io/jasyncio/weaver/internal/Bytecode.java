package io.jasyncio.weaver.internal;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.TypeInsnNode;

/** Small instruction sequences the transformers share. */
final class Bytecode {
    private Bytecode() {}

    static AbstractInsnNode pushInt(int value) {
        if (value >= -1 && value <= 5) {
            return new InsnNode(Opcodes.ICONST_0 + value);
        }
        if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
            return new IntInsnNode(Opcodes.BIPUSH, value);
        }
        if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            return new IntInsnNode(Opcodes.SIPUSH, value);
        }
        return new LdcInsnNode(value);
    }

    /** Pushes the zero value of {@code type} (nothing for void). */
    static void pushDefault(InsnList code, Type type) {
        switch (type.getSort()) {
            case Type.VOID:
                break;
            case Type.LONG:
                code.add(new InsnNode(Opcodes.LCONST_0));
                break;
            case Type.FLOAT:
                code.add(new InsnNode(Opcodes.FCONST_0));
                break;
            case Type.DOUBLE:
                code.add(new InsnNode(Opcodes.DCONST_0));
                break;
            case Type.OBJECT:
            case Type.ARRAY:
                code.add(new InsnNode(Opcodes.ACONST_NULL));
                break;
            default:
                code.add(new InsnNode(Opcodes.ICONST_0));
        }
    }

    /** Returns the zero value of {@code type} from the method. */
    static void returnDefault(InsnList code, Type type) {
        pushDefault(code, type);
        code.add(new InsnNode(type.getOpcode(Opcodes.IRETURN)));
    }

    /** Converts the {@code Object} on top of the stack to {@code type}; pops it for void. */
    static void fromObject(InsnList code, Type type) {
        switch (type.getSort()) {
            case Type.VOID:
                code.add(new InsnNode(Opcodes.POP));
                break;
            case Type.BOOLEAN:
                unbox(code, "java/lang/Boolean", "booleanValue", "()Z");
                break;
            case Type.CHAR:
                unbox(code, "java/lang/Character", "charValue", "()C");
                break;
            case Type.BYTE:
            case Type.SHORT:
            case Type.INT:
                unbox(code, "java/lang/Number", "intValue", "()I");
                break;
            case Type.LONG:
                unbox(code, "java/lang/Number", "longValue", "()J");
                break;
            case Type.FLOAT:
                unbox(code, "java/lang/Number", "floatValue", "()F");
                break;
            case Type.DOUBLE:
                unbox(code, "java/lang/Number", "doubleValue", "()D");
                break;
            default:
                if (!type.getInternalName().equals("java/lang/Object")) {
                    code.add(new TypeInsnNode(Opcodes.CHECKCAST, type.getInternalName()));
                }
        }
    }

    private static void unbox(InsnList code, String box, String method, String descriptor) {
        code.add(new TypeInsnNode(Opcodes.CHECKCAST, box));
        code.add(new MethodInsnNode(Opcodes.INVOKEVIRTUAL, box, method, descriptor, false));
    }

    /** Boxes the {@code type} value on top of the stack into an {@code Object}; pushes null for void. */
    static void toObject(InsnList code, Type type) {
        String box;
        switch (type.getSort()) {
            case Type.VOID:
                code.add(new InsnNode(Opcodes.ACONST_NULL));
                return;
            case Type.BOOLEAN: box = "java/lang/Boolean"; break;
            case Type.CHAR: box = "java/lang/Character"; break;
            case Type.BYTE: box = "java/lang/Byte"; break;
            case Type.SHORT: box = "java/lang/Short"; break;
            case Type.INT: box = "java/lang/Integer"; break;
            case Type.LONG: box = "java/lang/Long"; break;
            case Type.FLOAT: box = "java/lang/Float"; break;
            case Type.DOUBLE: box = "java/lang/Double"; break;
            default:
                return;
        }
        code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, box, "valueOf",
                "(" + type.getDescriptor() + ")L" + box + ";", false));
    }

    /** Throws {@code IllegalStateException(message)}. */
    static void throwIllegalState(InsnList code, String message) {
        code.add(new TypeInsnNode(Opcodes.NEW, "java/lang/IllegalStateException"));
        code.add(new InsnNode(Opcodes.DUP));
        code.add(new LdcInsnNode(message));
        code.add(new MethodInsnNode(Opcodes.INVOKESPECIAL, "java/lang/IllegalStateException", "<init>",
                "(Ljava/lang/String;)V", false));
        code.add(new InsnNode(Opcodes.ATHROW));
    }

    /** The source line of {@code insn}: that of the nearest line number before it, or -1. */
    static int lineOf(AbstractInsnNode insn) {
        for (AbstractInsnNode node = insn; node != null; node = node.getPrevious()) {
            if (node instanceof LineNumberNode) {
                return ((LineNumberNode) node).line;
            }
        }
        return -1;
    }

    /** The first source line of {@code method}, or -1 when it has no line numbers. */
    static int firstLine(org.objectweb.asm.tree.MethodNode method) {
        for (AbstractInsnNode node : method.instructions) {
            if (node instanceof LineNumberNode) {
                return ((LineNumberNode) node).line;
            }
        }
        return -1;
    }

    /** {@code pkg.Owner.name()} for messages. */
    static String methodName(String owner, String name) {
        return owner.replace('/', '.') + "." + name + "()";
    }
}
