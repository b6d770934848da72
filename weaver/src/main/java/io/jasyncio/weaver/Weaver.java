package io.jasyncio.weaver;

import io.jasyncio.weaver.internal.ClassHierarchy;
import io.jasyncio.weaver.internal.ClassWeaver;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;

/**
 * The one entry of the weaving engine: {@code weave(bytes)} rewrites every {@code @Async} method
 * of a class into a resumable state machine. The agent and the Maven plugin are thin adapters
 * over it. See {@code weaver/DESIGN.md}.
 *
 * <p>A weaver keeps a cache of what it read of other classes, so reuse one for the classes of a
 * class loader (the agent) or of a build (the plugin). Not thread-safe: synchronize on it.
 */
public final class Weaver {
    private final ClassHierarchy hierarchy;
    private final ClassWeaver classWeaver;

    /** @param finder reads the bytes of the classes the woven ones refer to */
    public Weaver(ClassFinder finder) {
        this.hierarchy = new ClassHierarchy(finder);
        this.classWeaver = new ClassWeaver(hierarchy);
    }

    /**
     * Weaves one class file. Never throws for bad input: a class it cannot handle comes back
     * unchanged, or with its faulty methods replaced, and the problems in the diagnostics.
     *
     * <p>A class that this one refers to and that the finder cannot give is taken to have no
     * {@code @Async} methods; the result's warnings name it, once in the life of this weaver.
     *
     * @param classBytes a class file
     * @return the result
     */
    public synchronized WeaveResult weave(byte[] classBytes) {
        try {
            ClassWeaver.Outcome outcome = classWeaver.weave(classBytes);
            return new WeaveResult(outcome.className(), outcome.bytes(), outcome.changed(), outcome.alreadyWoven(),
                    outcome.wovenMethods(), List.copyOf(outcome.diagnostics()), unreadableWarnings(outcome.className()));
        } catch (RuntimeException malformed) {
            String className = nameOrNull(classBytes);
            Diagnostic problem = new Diagnostic(className == null ? "?" : className, "?", "?", null, -1,
                    "the class file cannot be read or written (" + malformed + ")",
                    "recompile it; the class was left as it is");
            return new WeaveResult(className, classBytes, false, false, 0, List.of(problem),
                    unreadableWarnings(className == null ? "?" : className));
        }
    }

    private List<String> unreadableWarnings(String className) {
        List<String> warnings = new ArrayList<>();
        for (String missing : hierarchy.takeUnreadable()) {
            warnings.add("cannot read the class file of " + missing.replace('/', '.') + " (needed to weave " + className
                    + "): it is taken to have no @Async methods, so calls to it and overrides of its methods are not checked");
        }
        return List.copyOf(warnings);
    }

    /** The class's name with dots, or {@code null} when not even the header can be read. */
    private static String nameOrNull(byte[] classBytes) {
        try {
            return new ClassReader(classBytes).getClassName().replace('/', '.');
        } catch (RuntimeException unreadable) {
            return null;
        }
    }
}
