package io.jasyncio.weaver.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the lines of a source file that carry a marker comment such as {@code // MISUSE}, so
 * that a test can expect a diagnostic on the right line without hard-coding line numbers.
 */
final class SourceMarker {
    private SourceMarker() {}

    /** The 1-based numbers of the lines of {@code source} that contain {@code marker}. */
    static List<Integer> lines(Path source, String marker) {
        List<String> lines;
        try {
            lines = Files.readAllLines(source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + " (run the tests from the weaver module)", e);
        }
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                found.add(i + 1);
            }
        }
        return found;
    }

    /** The one line of {@code source} that carries {@code marker}; fails unless there is exactly one. */
    static int line(Path source, String marker) {
        List<Integer> found = lines(source, marker);
        if (found.size() != 1) {
            throw new IllegalStateException(source + " must have exactly one line marked " + marker + ", has " + found);
        }
        return found.get(0);
    }
}
