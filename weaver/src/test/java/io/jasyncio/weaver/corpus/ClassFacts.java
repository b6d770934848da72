package io.jasyncio.weaver.corpus;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** What the corpus tests need to know about a class file, read with ASM (never by loading it). */
final class ClassFacts {
    static final String ASYNC = "Lio/jasyncio/Async;";
    static final String WOVEN = "Lio/jasyncio/internal/Woven;";

    /**
     * Methods with a body (not abstract or native) annotated {@code @Async}, javac's bridges
     * excluded: a bridge carries the annotation of the method it forwards to, and is not woven.
     */
    final int asyncMethodsWithBody;
    /** Whether the class carries the weaver's {@code @Woven} marker. */
    final boolean hasWovenMarker;

    private ClassFacts(int asyncMethodsWithBody, boolean hasWovenMarker) {
        this.asyncMethodsWithBody = asyncMethodsWithBody;
        this.hasWovenMarker = hasWovenMarker;
    }

    static ClassFacts of(byte[] classFile) {
        int[] asyncMethods = new int[1];
        boolean[] woven = new boolean[1];
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                woven[0] |= descriptor.equals(WOVEN);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                boolean hasBody = (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE)) == 0;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                        if (hasBody && annotation.equals(ASYNC)) {
                            asyncMethods[0]++;
                        }
                        return null;
                    }
                };
            }
        }, ClassReader.SKIP_CODE);
        return new ClassFacts(asyncMethods[0], woven[0]);
    }
}
