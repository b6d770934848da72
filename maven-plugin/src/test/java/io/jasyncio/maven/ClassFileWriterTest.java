package io.jasyncio.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassFileWriterTest {
    @TempDir
    Path temp;

    @Test
    void writeAll_replacesEveryFile_andLeavesNoTemporaryFile() throws IOException {
        Map<Path, byte[]> files = classFiles("A", "B", "C");
        new ClassFileWriter().writeAll(files);
        for (Path file : files.keySet()) {
            assertEquals("new " + file.getFileName(), Files.readString(file));
        }
        assertEquals(List.of("A.class", "B.class", "C.class"), namesIn(temp.resolve("com/x")));
    }

    @Test
    void writeAll_keepsThePermissionsOfTheFilesItReplaces() throws IOException {
        assumeTrue(Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class));
        Map<Path, byte[]> files = classFiles("A");
        Path file = files.keySet().iterator().next();
        Set<PosixFilePermission> javacs = PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(file, javacs);
        new ClassFileWriter().writeAll(files);
        assertEquals(javacs, Files.getPosixFilePermissions(file));
    }

    @Test
    void writeAll_whenAFileCannotBeStaged_changesNoFile() throws IOException {
        Map<Path, byte[]> files = classFiles("A", "B");
        Path lost = temp.resolve("gone/C.class"); // its directory does not exist: staging fails
        files.put(lost, "new C.class".getBytes());
        IOException failure = assertThrows(IOException.class, () -> new ClassFileWriter().writeAll(files));
        assertTrue(failure.getMessage().contains("no class file was changed"), failure.getMessage());
        assertEquals("old A.class", Files.readString(temp.resolve("com/x/A.class")));
        assertEquals("old B.class", Files.readString(temp.resolve("com/x/B.class")));
        assertEquals(List.of("A.class", "B.class"), namesIn(temp.resolve("com/x")));
    }

    @Test
    void writeAll_whenTheBuildFailsBetweenTwoFiles_eachFileIsWholeOldOrWholeNew() throws IOException {
        Map<Path, byte[]> files = classFiles("A", "B", "C");
        ClassFileWriter.Mover failsOnB = (temporary, target) -> {
            if (target.getFileName().toString().equals("B.class")) {
                throw new IOException("disk gone");
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        };
        IOException failure = assertThrows(IOException.class, () -> new ClassFileWriter(failsOnB).writeAll(files));
        assertTrue(failure.getMessage().contains("1 of 3 class files were replaced"), failure.getMessage());
        assertEquals("new A.class", Files.readString(temp.resolve("com/x/A.class")));
        assertEquals("old B.class", Files.readString(temp.resolve("com/x/B.class")));
        assertEquals("old C.class", Files.readString(temp.resolve("com/x/C.class")));
        assertEquals(List.of("A.class", "B.class", "C.class"), namesIn(temp.resolve("com/x")), "no temporary file left");
    }

    @Test
    void writeAll_ofNothing_touchesNothing() throws IOException {
        Map<Path, byte[]> files = classFiles("A");
        long before = Files.getLastModifiedTime(temp.resolve("com/x/A.class")).toMillis();
        new ClassFileWriter().writeAll(Map.of());
        assertEquals(before, Files.getLastModifiedTime(temp.resolve("com/x/A.class")).toMillis());
        assertEquals("old A.class", Files.readString(files.keySet().iterator().next()));
    }

    @Test
    void isStrayTemporary_matchesOnlyTheWritersTemporaryFiles() {
        assertTrue(ClassFileWriter.isStrayTemporary(Path.of("com/x/.A.class.123" + ClassFileWriter.TEMPORARY_SUFFIX)));
        assertFalse(ClassFileWriter.isStrayTemporary(Path.of("com/x/A.class")));
        assertFalse(ClassFileWriter.isStrayTemporary(Path.of("com/x/A" + ClassFileWriter.TEMPORARY_SUFFIX)));
    }

    /** Old class files on disk, and the new content to write over each. */
    private Map<Path, byte[]> classFiles(String... names) throws IOException {
        Path directory = Files.createDirectories(temp.resolve("com/x"));
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (String name : names) {
            Path file = Files.writeString(directory.resolve(name + ".class"), "old " + name + ".class");
            files.put(file, ("new " + name + ".class").getBytes());
        }
        return files;
    }

    private static List<String> namesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
