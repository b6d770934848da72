package io.jasyncio.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps a copy of a classes directory as javac left it, next to the woven one, for a build
 * that runs the same classes both ways: woven by the plugin, and unwoven under the agent.
 *
 * <p>Copying the directory before weaving is not enough: on a build without {@code clean},
 * javac writes nothing new, the directory already holds the classes woven by the previous
 * build, and the copy would be of woven classes, so the "agent" run would quietly test the
 * plugin's output again. The weaver knows which class files it found already woven; those are
 * exactly the ones whose unwoven bytes are gone, and whose copy from the build that wove them
 * is still right (javac would have rewritten the file had its source changed). So everything
 * else is copied, and those are kept.
 *
 * <p>Rejected: a second javac output directory (every module's compiler configuration would
 * change); telling the copies apart by time stamps (weaving in place makes the woven file the
 * newer one).
 */
final class UnwovenCopy {
    private UnwovenCopy() {}

    /**
     * Copies every file of {@code directory} to the same place under {@code copy}, except the
     * class files {@code outcome} found already woven, whose earlier copy is kept.
     *
     * @param directory the classes directory, woven in memory but not yet written
     * @param outcome what weaving it found
     * @param copy where the unwoven copy lives
     * @throws IllegalStateException when a class file found woven has no copy to keep
     * @throws IOException when a file cannot be copied
     */
    static void keep(Path directory, DirectoryWeaver.Outcome outcome, Path copy) throws IOException {
        Set<Path> woven = Set.copyOf(outcome.alreadyWovenFiles());
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                Path target = copy.resolve(directory.relativize(file).toString());
                if (woven.contains(file)) {
                    if (!Files.isRegularFile(target)) {
                        throw new IllegalStateException(file + " was woven in place by an earlier build, and the copy "
                                + "has no unwoven version of it; build with clean");
                    }
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
