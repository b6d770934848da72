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
import java.util.concurrent.locks.ReentrantLock;

/**
 * Weaves each class as it loads: a thin adapter from {@link ClassFileTransformer} to
 * {@link Weaver#weave}. All the knowledge of {@code @Async} lives in the weaver; this class only
 * decides which classes are worth showing it and reports what it says.
 *
 * <p>Skipped at once: classes of the bootstrap loader, of the JDK, and of jasyncio's own
 * runtime, weaver and agent (the runtime's primitives are written against the woven-code ABI
 * by hand). Redefinitions are skipped too, as weaving changes a class's shape.
 *
 * <p>A weaver caches what it read of other classes, so there is one per class loader, held
 * weakly. It is never waited for: a class loaded while it is busy, by another thread or by a
 * class load it caused itself, is woven by a fresh weaver, so that the agent cannot deadlock
 * with class loading. Rejected: one weaver for every loader (it would mix up classes of the
 * same name) and a fresh weaver for every class (it re-reads the same classes each time).
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
    /** One weaver per class loader; guarded by itself. A weaver refers to its loader only weakly. */
    private final Map<ClassLoader, SharedWeaver> weavers = new WeakHashMap<>();

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
            WeaveResult result = weave(loader, classfileBuffer);
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

    static boolean isSkipped(String className) {
        for (String prefix : SKIPPED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        int nested = className.indexOf('$');
        return SKIPPED_CLASSES.contains(nested < 0 ? className : className.substring(0, nested));
    }

    private WeaveResult weave(ClassLoader loader, byte[] classBytes) {
        SharedWeaver shared;
        synchronized (weavers) {
            shared = weavers.computeIfAbsent(loader, key -> new SharedWeaver(finder(key)));
        }
        if (!shared.busy.isHeldByCurrentThread() && shared.busy.tryLock()) {
            try {
                return shared.weaver.weave(classBytes);
            } finally {
                shared.busy.unlock();
            }
        }
        return new Weaver(finder(loader)).weave(classBytes);
    }

    /** Reads classes as resources of {@code loader} without keeping it from being collected. */
    private static ClassFinder finder(ClassLoader loader) {
        WeakReference<ClassLoader> reference = new WeakReference<>(loader);
        return internalName -> {
            ClassLoader current = reference.get();
            return current == null ? null : ClassFinder.ofClassLoader(current).find(internalName);
        };
    }

    /** A loader's weaver, and whether a thread is using it. */
    private static final class SharedWeaver {
        final ReentrantLock busy = new ReentrantLock();
        final Weaver weaver;

        SharedWeaver(ClassFinder finder) {
            this.weaver = new Weaver(finder);
        }
    }
}
