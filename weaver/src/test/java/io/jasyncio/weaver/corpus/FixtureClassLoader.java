package io.jasyncio.weaver.corpus;

import java.util.Map;

/**
 * A fresh class loader for one woven fixture program: child-first for the program's own
 * classes, defined from the woven bytes; the parent (the test's class loader) for the runtime
 * and the JDK. A class of the fixture packages that is not part of the program is refused, so
 * that an unwoven fixture class can never be used by mistake.
 */
final class FixtureClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classes;

    /**
     * @param programName the top-level class, for messages
     * @param classes binary name to the (woven) class file
     * @param parent where the runtime and the JDK come from
     */
    FixtureClassLoader(String programName, Map<String, byte[]> classes, ClassLoader parent) {
        super("fixture:" + programName, parent);
        this.classes = Map.copyOf(classes);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                byte[] bytes = classes.get(name);
                if (bytes != null) {
                    loaded = defineClass(name, bytes, 0, bytes.length);
                } else if (name.startsWith(FixtureProgram.FIXTURES + ".")) {
                    throw new ClassNotFoundException(name + " is not a class of fixture program " + getName()
                            + ": each fixture must be self-contained (one source file, nested classes only)");
                } else {
                    return super.loadClass(name, resolve);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }
}
