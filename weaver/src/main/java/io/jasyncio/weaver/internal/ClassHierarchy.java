package io.jasyncio.weaver.internal;

import io.jasyncio.weaver.ClassFinder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * What the weaver knows of classes other than the one it weaves, read from their bytes through
 * a {@link ClassFinder} and never by loading them: supertypes (for frames and type merges) and
 * which methods are {@code @Async} (to find suspending calls and check overrides).
 *
 * <p>Only class headers and method signatures are read ({@code SKIP_CODE}); results are cached
 * for the life of the hierarchy. A class that cannot be found is treated as a direct subclass
 * of {@code Object} with no {@code @Async} methods, which keeps weaving going; a misjudged
 * merge of two unknown types yields {@code Object}, which the JVM verifier accepts wherever
 * an interface is expected. Such classes (the JDK's aside) are remembered until
 * {@link #takeUnreadable()}, so that the weaver can warn about each once.
 */
public final class ClassHierarchy {

    /** One class as far as the weaver cares. */
    public static final class ClassInfo {
        final String name;
        final String superName;
        final String[] interfaces;
        final boolean isInterface;
        /** name + descriptor → access flags, with {@link #ASYNC_FLAG} set for @Async methods. */
        final Map<String, Integer> methods;
        final boolean declaresAsync;

        ClassInfo(String name, String superName, String[] interfaces, boolean isInterface, Map<String, Integer> methods) {
            this.name = name;
            this.superName = superName;
            this.interfaces = interfaces == null ? new String[0] : interfaces;
            this.isInterface = isInterface;
            this.methods = methods;
            boolean any = false;
            for (int access : methods.values()) {
                any |= (access & ASYNC_FLAG) != 0;
            }
            this.declaresAsync = any;
        }
    }

    /** A method found in the hierarchy. */
    public record MethodRef(String owner, String name, String descriptor, int access) {
        public boolean isAsync() {
            return (access & ASYNC_FLAG) != 0;
        }

        public boolean isStatic() {
            return (access & Opcodes.ACC_STATIC) != 0;
        }

        public boolean isPrivate() {
            return (access & Opcodes.ACC_PRIVATE) != 0;
        }
    }

    /** A bit above every JVM access flag, marking @Async methods. */
    static final int ASYNC_FLAG = 1 << 24;

    private static final ClassInfo MISSING = new ClassInfo("?", "java/lang/Object", null, false, Map.of());

    private final ClassFinder finder;
    private final Map<String, ClassInfo> cache = new HashMap<>();
    private final Map<String, Boolean> hasAsyncCache = new HashMap<>();
    /** Classes outside the JDK found unreadable since the last {@link #takeUnreadable()}, in order. */
    private final java.util.List<String> unreadable = new java.util.ArrayList<>();

    public ClassHierarchy(ClassFinder finder) {
        this.finder = finder;
    }

    /** Registers a class from bytes at hand (the one being woven), ahead of the finder. */
    public void register(byte[] classBytes) {
        ClassInfo info = read(classBytes);
        if (info != null) {
            cache.put(info.name, info);
        }
    }

    /** The class, or {@code null} when its bytes cannot be found, or it is an array type (which has no class file). */
    public ClassInfo info(String internalName) {
        if (internalName.startsWith("[")) {
            // A call on an array, such as an enum's values() cloning its array: Object's methods, never @Async
            return null;
        }
        ClassInfo info = cache.get(internalName);
        if (info == null) {
            byte[] bytes = null;
            try {
                bytes = finder.find(internalName);
            } catch (RuntimeException unreadable) {
                // treated as missing
            }
            info = bytes == null ? null : read(bytes);
            cache.put(internalName, info == null ? MISSING : info);
            if (info == null && !Names.isPlatformClass(internalName)) {
                unreadable.add(internalName);
            }
        }
        return info == MISSING ? null : info;
    }

    /**
     * The classes outside the JDK whose bytes could not be found or read since the last call,
     * each named once in the life of the hierarchy; clears the list.
     */
    public java.util.List<String> takeUnreadable() {
        java.util.List<String> taken = java.util.List.copyOf(unreadable);
        unreadable.clear();
        return taken;
    }

    public boolean isInterface(String internalName) {
        ClassInfo info = info(internalName);
        return info != null && info.isInterface;
    }

    /** The superclass, {@code null} for {@code java/lang/Object}. */
    public String superName(String internalName) {
        if (internalName.equals("java/lang/Object")) {
            return null;
        }
        ClassInfo info = info(internalName);
        return info == null || info.superName == null ? "java/lang/Object" : info.superName;
    }

    /** Whether {@code ancestor} is {@code type} or one of its superclasses or superinterfaces. */
    public boolean isAssignableFrom(String ancestor, String type) {
        if (ancestor.equals(type) || ancestor.equals("java/lang/Object")) {
            return true;
        }
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> work = new ArrayDeque<>();
        work.add(type);
        while (!work.isEmpty()) {
            String next = work.poll();
            if (next.equals(ancestor)) {
                return true;
            }
            if (!seen.add(next)) {
                continue;
            }
            ClassInfo info = info(next);
            if (info == null) {
                continue;
            }
            if (info.superName != null) {
                work.add(info.superName);
            }
            for (String itf : info.interfaces) {
                work.add(itf);
            }
        }
        return false;
    }

    /** The nearest common superclass, as {@code ClassWriter.getCommonSuperClass} defines it. */
    public String commonSuperClass(String a, String b) {
        if (isAssignableFrom(a, b)) {
            return a;
        }
        if (isAssignableFrom(b, a)) {
            return b;
        }
        if (isInterface(a) || isInterface(b)) {
            return "java/lang/Object";
        }
        String type = a;
        do {
            type = superName(type);
        } while (type != null && !isAssignableFrom(type, b));
        return type == null ? "java/lang/Object" : type;
    }

    /**
     * Resolves a method as the JVM does for a call on {@code owner}: the class, its
     * superclasses, then its superinterfaces. {@code null} when not found.
     */
    public MethodRef resolve(String owner, String name, String descriptor) {
        String key = name + descriptor;
        for (String type = owner; type != null; type = superName(type)) {
            ClassInfo info = info(type);
            if (info == null) {
                break;
            }
            Integer access = info.methods.get(key);
            if (access != null) {
                return new MethodRef(type, name, descriptor, access);
            }
        }
        return findInInterfaces(owner, key, name, descriptor);
    }

    private MethodRef findInInterfaces(String owner, String key, String name, String descriptor) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> work = new ArrayDeque<>();
        for (String type = owner; type != null; type = superName(type)) {
            ClassInfo info = info(type);
            if (info == null) {
                break;
            }
            for (String itf : info.interfaces) {
                work.add(itf);
            }
        }
        while (!work.isEmpty()) {
            String itf = work.poll();
            if (!seen.add(itf)) {
                continue;
            }
            ClassInfo info = info(itf);
            if (info == null) {
                continue;
            }
            Integer access = info.methods.get(key);
            if (access != null && (access & Opcodes.ACC_STATIC) == 0) {
                return new MethodRef(itf, name, descriptor, access);
            }
            for (String parent : info.interfaces) {
                work.add(parent);
            }
        }
        return null;
    }

    /**
     * The methods that a method {@code name descriptor} declared in {@code className} overrides:
     * the nearest declaration along the superclass chain and in each superinterface, skipping
     * static and private ones.
     */
    public java.util.List<MethodRef> overridden(String className, String name, String descriptor) {
        String key = name + descriptor;
        java.util.List<MethodRef> found = new java.util.ArrayList<>();
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> work = new ArrayDeque<>();
        ClassInfo self = info(className);
        if (self == null) {
            return found;
        }
        if (self.superName != null) {
            work.add(self.superName);
        }
        for (String itf : self.interfaces) {
            work.add(itf);
        }
        while (!work.isEmpty()) {
            String type = work.poll();
            if (!seen.add(type)) {
                continue;
            }
            ClassInfo info = info(type);
            if (info == null) {
                continue;
            }
            Integer access = info.methods.get(key);
            if (access != null && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE)) == 0) {
                found.add(new MethodRef(type, name, descriptor, access));
                continue;
            }
            if (info.superName != null) {
                work.add(info.superName);
            }
            for (String itf : info.interfaces) {
                work.add(itf);
            }
        }
        return found;
    }

    /** Whether {@code internalName} or one of its supertypes declares an @Async method. */
    public boolean hasAsyncMethods(String internalName) {
        if (Names.isPlatformClass(internalName)) {
            return false;
        }
        Boolean known = hasAsyncCache.get(internalName);
        if (known != null) {
            return known;
        }
        hasAsyncCache.put(internalName, Boolean.FALSE); // breaks cycles in broken hierarchies
        ClassInfo info = info(internalName);
        boolean result = false;
        if (info != null) {
            result = info.declaresAsync
                    || (info.superName != null && hasAsyncMethods(info.superName));
            for (int i = 0; !result && i < info.interfaces.length; i++) {
                result = hasAsyncMethods(info.interfaces[i]);
            }
        }
        hasAsyncCache.put(internalName, result);
        return result;
    }

    private static ClassInfo read(byte[] bytes) {
        try {
            ClassReader reader = new ClassReader(bytes);
            InfoCollector collector = new InfoCollector();
            reader.accept(collector, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            return new ClassInfo(collector.name, collector.superName, collector.interfaces,
                    (collector.access & Opcodes.ACC_INTERFACE) != 0, collector.methods);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static final class InfoCollector extends ClassVisitor {
        String name;
        String superName;
        String[] interfaces;
        int access;
        final Map<String, Integer> methods = new HashMap<>();

        InfoCollector() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            this.name = name;
            this.access = access;
            this.superName = superName;
            this.interfaces = interfaces;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            String key = name + descriptor;
            methods.put(key, access);
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    if (Names.ASYNC.equals(annotation)) {
                        methods.put(key, access | ASYNC_FLAG);
                    }
                    return null;
                }
            };
        }
    }
}
