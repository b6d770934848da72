package io.jasyncio.maven;

import io.jasyncio.weaver.ClassFinder;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds class files on a build's classpath, the way javac saw them, without loading any class:
 * the project's own classes directory first, then each classpath element in order (directories
 * and jars), then the JDK running the build.
 *
 * <p>JDK classes are read from the modules of the boot layer (a {@code .class} resource of a
 * named module is never encapsulated), and nothing else: the class loaders of Maven and of this
 * plugin are never asked, so a class of the build tool cannot stand in for one of the project.
 * Names under {@code java/} go to the JDK first, as javac allows no other definition of them.
 *
 * <p>Jars are opened on first use and kept open until {@link #close()}; multi-release jars
 * answer with the entries for the running Java version. Elements that do not exist, or that
 * are neither a directory nor a readable jar, are skipped. Not thread-safe (the weaver is not).
 */
final class ClasspathFinder implements ClassFinder, Closeable {
    /** Classpath elements in search order, without duplicates. */
    private final List<Path> elements;
    /** Whether each of {@link #elements}, at the same index, was a directory when the finder was made. */
    private final boolean[] directories;
    /** Jars opened so far, by element; a {@code null} value marks an element that is not a readable jar. */
    private final Map<Path, JarFile> jars = new HashMap<>();
    /** Package name with slashes → the JDK module that holds it. */
    private final Map<String, Module> jdkPackages;

    private ClasspathFinder(List<Path> elements) {
        this.elements = elements;
        this.directories = new boolean[elements.size()];
        for (int i = 0; i < directories.length; i++) {
            directories[i] = Files.isDirectory(elements.get(i));
        }
        this.jdkPackages = jdkPackages();
    }

    /**
     * A finder over {@code classesDirectory} followed by {@code classpathElements} (duplicates
     * of the directory or of each other are searched once), then the JDK.
     *
     * @param classesDirectory the directory being woven
     * @param classpathElements directories and jars, as Maven lists them; may repeat {@code classesDirectory}
     * @return a finder to close when the weaving is done
     */
    static ClasspathFinder of(Path classesDirectory, List<Path> classpathElements) {
        LinkedHashSet<Path> ordered = new LinkedHashSet<>();
        ordered.add(classesDirectory.toAbsolutePath().normalize());
        for (Path element : classpathElements) {
            ordered.add(element.toAbsolutePath().normalize());
        }
        return new ClasspathFinder(List.copyOf(ordered));
    }

    /**
     * The class file of {@code internalName}, or {@code null} when no element has it.
     *
     * @throws UncheckedIOException when a class file exists but cannot be read
     */
    @Override
    public byte[] find(String internalName) {
        String resource = internalName + ".class";
        if (internalName.startsWith("java/")) {
            byte[] bytes = fromJdk(internalName, resource);
            if (bytes != null) {
                return bytes;
            }
        }
        try {
            for (int i = 0; i < directories.length; i++) {
                Path element = elements.get(i);
                byte[] bytes = directories[i] ? fromDirectory(element, resource) : fromJar(element, resource);
                if (bytes != null) {
                    return bytes;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        }
        return fromJdk(internalName, resource);
    }

    private static byte[] fromDirectory(Path directory, String resource) throws IOException {
        Path file = directory.resolve(resource);
        return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    }

    private byte[] fromJar(Path element, String resource) throws IOException {
        if (!jars.containsKey(element)) {
            jars.put(element, openJar(element));
        }
        JarFile jar = jars.get(element);
        if (jar == null) {
            return null;
        }
        ZipEntry entry = jar.getEntry(resource);
        if (entry == null) {
            return null;
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    private static JarFile openJar(Path element) {
        if (!Files.isRegularFile(element)) {
            return null;
        }
        try {
            return new JarFile(element.toFile(), /* verify = */ false, ZipFile.OPEN_READ, Runtime.version());
        } catch (IOException notAJar) {
            return null;
        }
    }

    private byte[] fromJdk(String internalName, String resource) {
        int slash = internalName.lastIndexOf('/');
        Module module = jdkPackages.get(slash < 0 ? "" : internalName.substring(0, slash));
        if (module == null) {
            return null;
        }
        try (InputStream in = module.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, Module> jdkPackages() {
        Map<String, Module> packages = new HashMap<>();
        for (Module module : ModuleLayer.boot().modules()) {
            for (String name : module.getPackages()) {
                packages.put(name.replace('.', '/'), module);
            }
        }
        return packages;
    }

    /** Closes every jar opened; the finder must not be used afterwards. */
    @Override
    public void close() throws IOException {
        List<IOException> failures = new ArrayList<>();
        for (JarFile jar : jars.values()) {
            if (jar != null) {
                try {
                    jar.close();
                } catch (IOException e) {
                    failures.add(e);
                }
            }
        }
        jars.clear();
        if (!failures.isEmpty()) {
            IOException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }
}
