package io.jasyncio.weaver;

import io.jasyncio.weaver.internal.ClassHierarchy;
import io.jasyncio.weaver.internal.ClassWeaver;
import java.util.List;

/**
 * The one entry of the weaving engine: {@code weave(bytes)} rewrites every {@code @Async} method
 * of a class into a resumable state machine. The agent and the Maven plugin are thin adapters
 * over it. See {@code weaver/DESIGN.md}.
 *
 * <p>A weaver keeps a cache of what it read of other classes, so reuse one for the classes of a
 * class loader (the agent) or of a build (the plugin). Not thread-safe: synchronize on it.
 */
public final class Weaver {
    private final ClassWeaver classWeaver;

    /** @param finder reads the bytes of the classes the woven ones refer to */
    public Weaver(ClassFinder finder) {
        this.classWeaver = new ClassWeaver(new ClassHierarchy(finder));
    }

    /**
     * Weaves one class file. Never throws for bad input: a class it cannot handle comes back
     * unchanged, or with its faulty methods replaced, and the problems in the diagnostics.
     *
     * @param classBytes a class file
     * @return the result
     */
    public synchronized WeaveResult weave(byte[] classBytes) {
        try {
            ClassWeaver.Outcome outcome = classWeaver.weave(classBytes);
            return new WeaveResult(outcome.className(), outcome.bytes(), outcome.changed(), outcome.alreadyWoven(),
                    outcome.wovenMethods(), List.copyOf(outcome.diagnostics()));
        } catch (RuntimeException malformed) {
            Diagnostic problem = new Diagnostic("?", "?", "?", null, -1,
                    "the class file cannot be read or written (" + malformed + ")",
                    "recompile it; the class was left as it is");
            return new WeaveResult(null, classBytes, false, false, 0, List.of(problem));
        }
    }
}
