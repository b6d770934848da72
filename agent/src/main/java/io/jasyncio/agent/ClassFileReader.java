package io.jasyncio.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the class files of a class loader's classes that have not loaded yet, without loading
 * them: the agent must know whether a class that another one calls has {@code @Async} methods.
 *
 * <p>The general way, {@link ClassLoader#getResourceAsStream}, costs about ten times a plain file
 * read (a URL and a connection per class) and runs the loader's own code inside the agent. So for
 * the JVM's application class loader, whose search order is fixed (the JDK's modules, then the
 * class path in order), the class path is searched here directly: a directory entry by a plain
 * file read, a jar through a {@link JarFile} opened once (multi-release aware, as the loader opens
 * it). A jar whose manifest has a {@code Class-Path} would put more entries in the middle of that
 * order, so one such jar makes this reader fall back on resources. A class not found on the class
 * path is looked for as a resource anyway (the loader may know more: the module path, entries
 * appended at run time). Other class loaders are only asked for resources.
 */
abstract class ClassFileReader {

    /** The class file of {@code internalName}, or {@code null} when it cannot be read. */
    abstract byte[] read(String internalName);

    /** The reader for the classes of {@code loader}. */
    static ClassFileReader of(ClassLoader loader) {
        ClassFileReader resources = new Resources(loader);
        if (loader == ClassLoader.getSystemClassLoader() && loader.getClass().getName().startsWith("jdk.internal.loader.")) {
            ClassPath classPath = ClassPath.parse(System.getProperty("java.class.path", ""));
            if (classPath != null) {
                return new ClassPathFirst(classPath, resources);
            }
        }
        return resources;
    }

    /** Asks the loader for the class file as a resource. Holds the loader weakly. */
    private static final class Resources extends ClassFileReader {
        private final WeakReference<ClassLoader> loader;

        Resources(ClassLoader loader) {
            this.loader = new WeakReference<>(loader);
        }

        @Override
        byte[] read(String internalName) {
            ClassLoader current = loader.get();
            if (current == null) {
                return null;
            }
            try (InputStream in = current.getResourceAsStream(internalName + ".class")) {
                return in == null ? null : in.readAllBytes();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    private static final class ClassPathFirst extends ClassFileReader {
        private final ClassPath classPath;
        private final ClassFileReader resources;

        ClassPathFirst(ClassPath classPath, ClassFileReader resources) {
            this.classPath = classPath;
            this.resources = resources;
        }

        @Override
        byte[] read(String internalName) {
            if (classPath.usable()) {
                byte[] bytes = classPath.read(internalName + ".class");
                if (bytes != null) {
                    return bytes;
                }
            }
            return resources.read(internalName);
        }
    }

    /** The entries of {@code java.class.path}, in order: directories and jars. */
    static final class ClassPath {
        private final Object[] entries; // File (a directory) or Jar
        private volatile boolean usable = true;

        private ClassPath(Object[] entries) {
            this.entries = entries;
        }

        /** The class path, or {@code null} if it names something other than directories and jar files. */
        static ClassPath parse(String path) {
            List<Object> entries = new ArrayList<>();
            for (String element : path.split(File.pathSeparator, -1)) {
                File file = new File(element.isEmpty() ? "." : element);
                if (file.isDirectory()) {
                    entries.add(file);
                } else if (file.isFile()) {
                    entries.add(new Jar(file));
                } else if (file.exists()) {
                    return null;
                } // a missing entry is skipped, as the loader skips it
            }
            return new ClassPath(entries.toArray());
        }

        boolean usable() {
            return usable;
        }

        byte[] read(String resource) {
            for (Object entry : entries) {
                byte[] bytes;
                if (entry instanceof File) {
                    bytes = readFile(new File((File) entry, resource));
                } else {
                    Jar jar = (Jar) entry;
                    if (jar.hasClassPathAttribute()) {
                        usable = false;
                        return null;
                    }
                    bytes = jar.read(resource);
                }
                if (bytes != null) {
                    return bytes;
                }
            }
            return null;
        }

        private static byte[] readFile(File file) {
            if (!file.isFile()) {
                return null;
            }
            try (FileInputStream in = new FileInputStream(file)) {
                return in.readAllBytes();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** A jar of the class path, opened on first use and kept open; guarded by itself. */
    private static final class Jar {
        private final File file;
        private JarFile jar;
        private boolean failed;
        private Boolean classPathAttribute;

        Jar(File file) {
            this.file = file;
        }

        synchronized boolean hasClassPathAttribute() {
            if (classPathAttribute == null) {
                JarFile opened = open();
                try {
                    classPathAttribute = opened != null && opened.getManifest() != null
                            && opened.getManifest().getMainAttributes().getValue("Class-Path") != null;
                } catch (IOException | RuntimeException e) {
                    classPathAttribute = Boolean.TRUE; // unknown: do not trust the order
                }
            }
            return classPathAttribute;
        }

        synchronized byte[] read(String resource) {
            JarFile opened = open();
            if (opened == null) {
                return null;
            }
            try {
                ZipEntry entry = opened.getEntry(resource);
                if (entry == null) {
                    return null;
                }
                try (InputStream in = opened.getInputStream(entry)) {
                    return in.readAllBytes();
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private JarFile open() {
            if (jar == null && !failed) {
                try {
                    jar = new JarFile(file, /* verify = */ false, ZipFile.OPEN_READ, Runtime.version());
                } catch (IOException | RuntimeException e) {
                    failed = true;
                }
            }
            return jar;
        }
    }
}
