package io.jasyncio.weaver.internal;

import org.objectweb.asm.ClassWriter;

/** A {@link ClassWriter} that computes frames from a {@link ClassHierarchy}, never loading classes. */
public final class HierarchyClassWriter extends ClassWriter {
    private final ClassHierarchy hierarchy;

    public HierarchyClassWriter(ClassHierarchy hierarchy, int flags) {
        super(flags);
        this.hierarchy = hierarchy;
    }

    @Override
    protected String getCommonSuperClass(String type1, String type2) {
        return hierarchy.commonSuperClass(type1, type2);
    }

    @Override
    protected ClassLoader getClassLoader() {
        throw new UnsupportedOperationException("the weaver never loads classes");
    }
}
