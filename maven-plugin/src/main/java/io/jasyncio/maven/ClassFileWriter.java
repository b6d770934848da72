package io.jasyncio.maven;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaces class files so that each one is, at every instant, either its old content or its
 * whole new content, never a part: even if the build is killed midway.
 *
 * <p>Two phases. First every new class file is written to a temporary file in the directory of
 * the file it replaces (so the later rename stays within one file system) and flushed to disk;
 * if any of these writes fails, the temporary files are deleted and no class file has changed.
 * Then each temporary file is renamed over its target with an atomic move. A failure in this
 * phase leaves the files already moved completely new and the others completely old; the
 * remaining temporary files are deleted. A process killed at any point leaves at most stray
 * temporary files (named {@code .Name.class.*.jasyncio-tmp}), which the next run deletes.
 */
final class ClassFileWriter {
    /** The suffix of temporary files, by which a later run recognises strays. */
    static final String TEMPORARY_SUFFIX = ".jasyncio-tmp";

    /** Renames a temporary file over its target; a seam for tests that simulate failures. */
    @FunctionalInterface
    interface Mover {
        void move(Path temporary, Path target) throws IOException;
    }

    private final Mover mover;

    ClassFileWriter() {
        this((temporary, target) -> Files.move(temporary, target,
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING));
    }

    ClassFileWriter(Mover mover) {
        this.mover = mover;
    }

    /**
     * Writes each file's new bytes as described above.
     *
     * @param files target path → its new content; written in the map's iteration order
     * @throws IOException when a file cannot be written; the message says which, and whether
     *     some files had already been replaced
     */
    void writeAll(Map<Path, byte[]> files) throws IOException {
        List<Path> targets = new ArrayList<>(files.keySet());
        List<Path> temporaries = new ArrayList<>(targets.size());
        try {
            // Phase 1: stage every file beside its target.
            for (Path target : targets) {
                temporaries.add(stage(target, files.get(target)));
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temporaries);
            throw new IOException("cannot write a woven class file (no class file was changed): " + e.getMessage(), e);
        }
        // Phase 2: rename each over its target.
        for (int i = 0; i < targets.size(); i++) {
            try {
                mover.move(temporaries.get(i), targets.get(i));
            } catch (IOException | RuntimeException e) {
                deleteQuietly(temporaries.subList(i, temporaries.size()));
                throw new IOException("cannot replace " + targets.get(i) + " (" + i + " of " + targets.size()
                        + " class files were replaced, each completely; the others are as javac wrote them): " + e, e);
            }
        }
    }

    private static Path stage(Path target, byte[] bytes) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", TEMPORARY_SUFFIX);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            keepPermissions(target, temporary);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(/* metaData = */ false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        return temporary;
    }

    /** Temporary files are created owner-only; the class file keeps the permissions javac gave it. */
    private static void keepPermissions(Path target, Path temporary) throws IOException {
        if (Files.exists(target) && Files.getFileStore(temporary).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
        }
    }

    private static void deleteQuietly(List<Path> paths) {
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // A stray temporary file is harmless; the next run deletes it.
            }
        }
    }

    /** Whether {@code file} is a temporary file left by a run that was killed. */
    static boolean isStrayTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMPORARY_SUFFIX);
    }
}
