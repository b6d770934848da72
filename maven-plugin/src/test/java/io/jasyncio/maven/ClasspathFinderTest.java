package io.jasyncio.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathFinderTest {
    @TempDir
    Path temp;

    @Test
    void find_classesDirectoryComesBeforeTheClasspath() throws IOException {
        Path classes = directory("classes", Map.of("com/x/A.class", "from classes"));
        Path jar = jar("dep.jar", Map.of("com/x/A.class", "from jar", "com/x/B.class", "B from jar"));
        try (ClasspathFinder finder = ClasspathFinder.of(classes, List.of(jar, classes))) {
            assertEquals("from classes", text(finder.find("com/x/A")));
            assertEquals("B from jar", text(finder.find("com/x/B")));
        }
    }

    @Test
    void find_elementsAreSearchedInClasspathOrder() throws IOException {
        Path classes = directory("classes", Map.of());
        Path first = jar("first.jar", Map.of("com/x/A.class", "first"));
        Path second = directory("second", Map.of("com/x/A.class", "second", "com/x/C.class", "C"));
        try (ClasspathFinder finder = ClasspathFinder.of(classes, List.of(first, second))) {
            assertEquals("first", text(finder.find("com/x/A")));
            assertEquals("C", text(finder.find("com/x/C")));
        }
    }

    @Test
    void find_jdkClassesAreReadFromTheRunningJdk() throws IOException {
        try (ClasspathFinder finder = ClasspathFinder.of(directory("classes", Map.of()), List.of())) {
            for (String name : List.of("java/lang/Object", "java/util/List", "java/sql/Connection",
                    "javax/annotation/processing/Processor")) {
                byte[] bytes = finder.find(name);
                assertNotNull(bytes, name);
                assertEquals(0xCAFEBABE, ByteBuffer.wrap(bytes).getInt(), name + " should be a class file");
            }
        }
    }

    @Test
    void find_javaNamesComeFromTheJdkEvenWhenAJarHasThem() throws IOException {
        Path jar = jar("impostor.jar", Map.of("java/lang/Object.class", "not the JDK's"));
        try (ClasspathFinder finder = ClasspathFinder.of(directory("classes", Map.of()), List.of(jar))) {
            assertEquals(0xCAFEBABE, ByteBuffer.wrap(finder.find("java/lang/Object")).getInt());
        }
    }

    @Test
    void find_unknownClassIsNull_andUnusableElementsAreSkipped() throws IOException {
        Path notAJar = Files.writeString(temp.resolve("notes.txt"), "not a zip");
        Path missing = temp.resolve("missing.jar");
        Path jar = jar("dep.jar", Map.of("com/x/A.class", "A"));
        try (ClasspathFinder finder = ClasspathFinder.of(directory("classes", Map.of()), List.of(notAJar, missing, jar))) {
            assertNull(finder.find("com/x/Nowhere"));
            assertNull(finder.find("Nowhere"));
            assertEquals("A", text(finder.find("com/x/A")));
        }
    }

    @Test
    void close_closesTheJars_andCanBeCalledTwice() throws IOException {
        Path jar = jar("dep.jar", Map.of("com/x/A.class", "A"));
        ClasspathFinder finder = ClasspathFinder.of(directory("classes", Map.of()), List.of(jar));
        assertArrayEquals("A".getBytes(StandardCharsets.UTF_8), finder.find("com/x/A"));
        finder.close();
        finder.close();
    }

    private Path directory(String name, Map<String, String> files) throws IOException {
        Path directory = Files.createDirectories(temp.resolve(name));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return directory;
    }

    private Path jar(String name, Map<String, String> entries) throws IOException {
        Path jar = temp.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                jarOut.putNextEntry(new JarEntry(entry.getKey()));
                jarOut.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
