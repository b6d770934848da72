package io.jasyncio.weaver.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One fixture program as the compiler left it, unwoven: its top-level class and every class
 * compiled from the same source file ({@code Name$Nested}, {@code Name$1}, the enum switch maps).
 * Only the bytes are read here; no fixture class is ever loaded by the test's class loader.
 */
final class FixtureProgram {
    /** The package of the programs that must run correctly. */
    static final String FIXTURES = "io.jasyncio.weaver.fixtures";
    /** The package of the programs that misuse {@code @Async}. */
    static final String MISUSE = FIXTURES + ".misuse";

    private final String className;
    /** Binary name to class file, in name order; the top-level class first. */
    private final Map<String, byte[]> classFiles;

    private FixtureProgram(String className, Map<String, byte[]> classFiles) {
        this.className = className;
        this.classFiles = Collections.unmodifiableMap(classFiles);
    }

    /** Every fixture program of {@code packageName} (not of its subpackages), in name order. */
    static List<FixtureProgram> findAll(String packageName) {
        Path dir = packageDir(packageName);
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".class") && !name.contains("$"))
                    .map(name -> name.substring(0, name.length() - ".class".length()))
                    .sorted()
                    .map(simpleName -> load(packageName + "." + simpleName))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the fixtures in " + dir, e);
        }
    }

    /** The program whose top-level class is {@code className}, compiled by the build. */
    static FixtureProgram load(String className) {
        return load(className, TestPaths.testClasses());
    }

    /** The program whose top-level class is {@code className}, from the class files under {@code classesRoot}. */
    static FixtureProgram load(String className, Path classesRoot) {
        int dot = className.lastIndexOf('.');
        String packageName = className.substring(0, dot);
        String simpleName = className.substring(dot + 1);
        Path dir = classesRoot.resolve(packageName.replace('.', '/'));
        Map<String, byte[]> classFiles = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.equals(simpleName + ".class") || name.startsWith(simpleName + "$") && name.endsWith(".class")) {
                    classFiles.put(packageName + "." + name.substring(0, name.length() - ".class".length()),
                            Files.readAllBytes(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classes of " + className, e);
        }
        if (!classFiles.containsKey(className)) {
            throw new IllegalArgumentException("no class file for fixture " + className + " in " + dir);
        }
        return new FixtureProgram(className, classFiles);
    }

    private static Path packageDir(String packageName) {
        return TestPaths.testClasses().resolve(packageName.replace('.', '/'));
    }

    /** The same program with each class file replaced by {@code rewrite} applied to it. */
    FixtureProgram withClassFiles(java.util.function.UnaryOperator<byte[]> rewrite) {
        Map<String, byte[]> rewritten = new TreeMap<>();
        classFiles.forEach((name, bytes) -> rewritten.put(name, rewrite.apply(bytes.clone())));
        return new FixtureProgram(className, rewritten);
    }

    /** The binary name of the top-level class, such as {@code io.jasyncio.weaver.fixtures.Loops}. */
    String className() {
        return className;
    }

    String simpleName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** The unwoven class files of the program by binary name. */
    Map<String, byte[]> classFiles() {
        return classFiles;
    }

    /** The program's source file under {@code src/test/java}. */
    Path sourceFile() {
        return TestPaths.testSources().resolve(className.replace('.', '/') + ".java");
    }

    @Override
    public String toString() {
        return simpleName();
    }
}
