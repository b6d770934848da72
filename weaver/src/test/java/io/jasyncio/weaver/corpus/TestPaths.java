package io.jasyncio.weaver.corpus;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the build puts what the corpus tests read, seen from a test of the weaver module. */
final class TestPaths {
    private TestPaths() {}

    /** The weaver module: Surefire's {@code basedir}, or the working directory. */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** {@code src/test/java}: fixture sources, read for their {@code // MISUSE} markers. */
    static Path testSources() {
        return moduleDir().resolve("src/test/java");
    }

    /**
     * {@code src/test/java21}: fixtures written in Java 21, which the build (at release 17) does
     * not compile; {@code LateReleaseClassFilesTest} compiles them for releases 21 and 25.
     */
    static Path java21Sources() {
        return moduleDir().resolve("src/test/java21");
    }

    /** {@code src/test/resources}: expected outputs and golden dumps. */
    static Path testResources() {
        return moduleDir().resolve("src/test/resources");
    }

    /** The compiled, unwoven test classes ({@code target/test-classes}). */
    static Path testClasses() {
        try {
            return Path.of(TestPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes", e);
        }
    }
}
