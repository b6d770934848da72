package io.jasyncio.agent;

import io.jasyncio.weaver.ClassFinder;
import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.lang.instrument.ClassFileTransformer;
import java.lang.ref.WeakReference;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Weaves each class as it loads: a thin adapter from {@link ClassFileTransformer} to
 * {@link Weaver#weave}. All the knowledge of {@code @Async} lives in the weaver; this class only
 * decides which classes are worth showing it and reports what it says.
 *
 * <p>Skipped at once: classes of the bootstrap loader, of the JDK, and of jasyncio's own
 * runtime, weaver and agent (the runtime's primitives are written against the woven-code ABI
 * by hand). Redefinitions are skipped too, as weaving changes a class's shape.
 */
final class WeavingTransformer implements ClassFileTransformer {
    private static final List<String> SKIPPED_PACKAGES = List.of(
            "java/", "javax/", "jdk/", "sun/", "com/sun/",
            "io/jasyncio/internal/", "io/jasyncio/agent/", "io/jasyncio/weaver/", "io/jasyncio/sync/");
    /** The runtime's top-level classes in {@code io.jasyncio}, whose nested classes are skipped too. */
    private static final Set<String> SKIPPED_CLASSES = Set.of(
            "io/jasyncio/Asyncio", "io/jasyncio/Task", "io/jasyncio/TaskFactory",
            "io/jasyncio/Async", "io/jasyncio/AsyncCallable", "io/jasyncio/AsyncRunnable");

    private final boolean verbose;
    /**
     * One weaver per class loader, so what it read of other classes (supertypes, which methods
     * are {@code @Async}) is read once. Weak keys, and finders that hold their loader weakly, so
     * a discarded loader is not kept alive.
     */
    private final Map<ClassLoader, Weaver> weavers = new WeakHashMap<>();

    /** @param verbose whether to print one line for each class woven */
    WeavingTransformer(boolean verbose) {
        this.verbose = verbose;
    }

    /**
     * Returns the woven class file, or {@code null} when the class is left as it is. Never
     * throws: a failure of the weaver is reported on one line and the class loads unwoven.
     */
    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader == null || className == null || classBeingRedefined != null || isSkipped(className)) {
            return null;
        }
        try {
            WeaveResult result = weaverFor(loader).weave(classfileBuffer);
            for (Diagnostic diagnostic : result.diagnostics()) {
                System.err.println("jasyncio: " + diagnostic.format());
            }
            if (!result.changed()) {
                return null;
            }
            if (verbose) {
                System.err.println("jasyncio: wove " + className.replace('/', '.') + " ("
                        + result.wovenMethods() + " @Async method" + (result.wovenMethods() == 1 ? "" : "s") + ")");
            }
            return result.bytes();
        } catch (Throwable failure) {
            System.err.println("jasyncio: could not weave " + className.replace('/', '.')
                    + ", loading it unwoven: " + failure);
            return null;
        }
    }

    private Weaver weaverFor(ClassLoader loader) {
        synchronized (weavers) {
            Weaver weaver = weavers.get(loader);
            if (weaver == null) {
                WeakReference<ClassLoader> reference = new WeakReference<>(loader);
                weaver = new Weaver(internalName -> {
                    ClassLoader live = reference.get();
                    return live == null ? null : ClassFinder.ofClassLoader(live).find(internalName);
                });
                weavers.put(loader, weaver);
            }
            return weaver;
        }
    }

    static boolean isSkipped(String className) {
        for (String prefix : SKIPPED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        int nested = className.indexOf('$');
        return SKIPPED_CLASSES.contains(nested < 0 ? className : className.substring(0, nested));
    }
}
