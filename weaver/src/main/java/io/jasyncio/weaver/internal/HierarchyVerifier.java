package io.jasyncio.weaver.internal;

import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.SimpleVerifier;

/**
 * ASM's {@link SimpleVerifier}, which infers the precise type of every local and stack value,
 * with its class questions answered by a {@link ClassHierarchy} instead of by loading classes.
 * We need types, not verification: reference subtyping checks always pass, so code the JVM
 * accepts (interfaces are not checked by the JVM verifier either) is never rejected here.
 */
final class HierarchyVerifier extends SimpleVerifier {
    private final ClassHierarchy hierarchy;

    HierarchyVerifier(ClassHierarchy hierarchy, Type currentClass, Type superClass, List<Type> interfaces, boolean isInterface) {
        super(Opcodes.ASM9, currentClass, superClass, interfaces, isInterface);
        this.hierarchy = hierarchy;
    }

    @Override
    protected boolean isSubTypeOf(BasicValue value, BasicValue expected) {
        Type type = value.getType();
        Type expectedType = expected.getType();
        if (type == null || expectedType == null) {
            return type == null && expectedType == null;
        }
        if (isReference(type) && isReference(expectedType)) {
            return true;
        }
        return type.equals(expectedType);
    }

    private static boolean isReference(Type type) {
        return type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY;
    }

    @Override
    protected boolean isInterface(Type type) {
        return hierarchy.isInterface(type.getInternalName());
    }

    @Override
    protected Type getSuperClass(Type type) {
        String superName = hierarchy.superName(type.getInternalName());
        return superName == null ? null : Type.getObjectType(superName);
    }

    @Override
    protected boolean isAssignableFrom(Type type1, Type type2) {
        if (type1.equals(type2)) {
            return true;
        }
        if (type1.getSort() != Type.OBJECT || type2.getSort() != Type.OBJECT) {
            return false;
        }
        return hierarchy.isAssignableFrom(type1.getInternalName(), type2.getInternalName());
    }

    @Override
    protected Class<?> getClass(Type type) {
        throw new UnsupportedOperationException("the weaver never loads classes: " + type);
    }
}
