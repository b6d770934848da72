package io.jasyncio.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.ref.WeakReference;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Weaves each class as it loads: a thin adapter from {@link ClassFileTransformer} to
 * {@code Weaver.weave}. All the knowledge of {@code @Async} lives in the weaver; this class only
 * decides, as cheaply as it can, which classes are worth showing it, and reports what it says.
 *
 * <p>Most classes of a program have nothing to weave, and the agent's cost at start-up is what
 * it spends on them. So, in order:
 * <ol>
 *   <li>skipped at once, without looking at the bytes: classes of the bootstrap and platform
 *       loaders, of the JDK, of jasyncio's own runtime, weaver and agent (the runtime's
 *       primitives are written against the woven-code ABI by hand), and redefinitions (weaving
 *       changes a class's shape);</li>
 *   <li>{@link ClassFileScan} reads the constant pool by hand, and the class loader's
 *       {@link LoaderScope} says whether the class or anything it extends, calls or makes a
 *       lambda of may have {@code @Async} methods;</li>
 *   <li>only then does the weaver (and ASM) load, for that loader, in {@link LoaderWeaver}.</li>
 * </ol>
 * The transformer never throws and never waits for another thread: a class it cannot read goes
 * to the JVM unchanged, with one line on standard error.
 */
final class WeavingTransformer implements ClassFileTransformer {
    /** The agent's last loader and its scope: most classes come from one loader, in a row. */
    private static final class LastScope {
        final WeakReference<ClassLoader> loader;
        final LoaderScope scope;

        LastScope(ClassLoader loader, LoaderScope scope) {
            this.loader = new WeakReference<>(loader);
            this.scope = scope;
        }
    }

    private final boolean verbose;
    private final ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
    /** One scope per class loader; guarded by itself. A scope refers to its loader only weakly. */
    private final Map<ClassLoader, LoaderScope> scopes = new WeakHashMap<>();
    private volatile LastScope last;

    /** @param verbose whether to print one line for each class woven */
    WeavingTransformer(boolean verbose) {
        this.verbose = verbose;
    }

    /**
     * Returns the woven class file, or {@code null} when the class is left as it is. Never
     * throws: a failure is reported on one line and the class loads unwoven.
     */
    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader == null || loader == platformLoader || className == null || classBeingRedefined != null
                || isSkipped(className)) {
            return null;
        }
        try {
            return transform(loader, className, classfileBuffer);
        } catch (Throwable failure) {
            System.err.println("jasyncio: could not weave " + className.replace('/', '.')
                    + ", loading it unwoven: " + failure);
            return null;
        }
    }

    private byte[] transform(ClassLoader loader, String className, byte[] classfileBuffer) {
        LoaderScope scope = scope(loader);
        ClassFileScan scan;
        try {
            scan = scope.scan(className, classfileBuffer);
        } catch (ClassFileScan.MalformedClassException malformed) {
            System.err.println("jasyncio: warning: the class file of " + className.replace('/', '.')
                    + " is malformed (" + malformed.getMessage() + "); it is left to the JVM as it is");
            return null;
        }
        if (scan.woven) {
            return null; // woven at build time
        }
        String[] warning = new String[1];
        boolean needsWeaving = scope.needsWeaving(scan, warning);
        if (warning[0] != null) {
            System.err.println(warning[0]);
        }
        return needsWeaving ? scope.weaver().weave(className, classfileBuffer, verbose) : null;
    }

    private LoaderScope scope(ClassLoader loader) {
        LastScope recent = last;
        if (recent != null && recent.loader.get() == loader) {
            return recent.scope;
        }
        LoaderScope scope;
        synchronized (scopes) {
            scope = scopes.get(loader);
        }
        if (scope == null) {
            // Made outside the lock: it asks the loader for a resource, which runs the loader's code.
            LoaderScope made = new LoaderScope(ClassFileReader.of(loader));
            synchronized (scopes) {
                scope = scopes.get(loader);
                if (scope == null) {
                    scope = made;
                    scopes.put(loader, scope);
                }
            }
        }
        last = new LastScope(loader, scope);
        return scope;
    }

    /** Whether a class is skipped by its name alone: the JDK's and jasyncio's own. */
    static boolean isSkipped(String className) {
        if (ClassFileScan.isPlatformClass(className)) {
            return true;
        }
        if (!className.startsWith("io/jasyncio/")) {
            return false;
        }
        if (className.startsWith("io/jasyncio/internal/") || className.startsWith("io/jasyncio/agent/")
                || className.startsWith("io/jasyncio/weaver/") || className.startsWith("io/jasyncio/sync/")
                || className.startsWith("io/jasyncio/streams/")) {
            return true;
        }
        // The runtime's top-level classes in io.jasyncio, and their nested classes.
        int nested = className.indexOf('$');
        String topLevel = nested < 0 ? className : className.substring(0, nested);
        switch (topLevel) {
            case "io/jasyncio/Asyncio":
            case "io/jasyncio/Task":
            case "io/jasyncio/TaskFactory":
            case "io/jasyncio/Async":
            case "io/jasyncio/AsyncCallable":
            case "io/jasyncio/AsyncRunnable":
                return true;
            default:
                return false;
        }
    }
}
