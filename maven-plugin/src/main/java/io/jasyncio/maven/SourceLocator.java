package io.jasyncio.maven;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the source file a class was compiled from, so that a problem can be reported at a path
 * an IDE opens: the class's package directory plus the file name its class file records
 * ({@code SourceFile} attribute), looked up under each source root in order.
 */
final class SourceLocator {
    private final List<Path> sourceRoots;

    /** @param sourceRoots the compile (or test compile) source roots, in Maven's order */
    SourceLocator(List<Path> sourceRoots) {
        this.sourceRoots = List.copyOf(sourceRoots);
    }

    /**
     * The source file of a class: the absolute path of the first existing
     * {@code root/package/sourceFile}, or else the relative {@code package/sourceFile}.
     *
     * @param className the class's binary name with dots ({@code com.example.Foo$Inner})
     * @param sourceFile the file name the class file records, or {@code null} when it has none
     *     (then the top-level class's simple name plus {@code .java} is assumed)
     */
    Path locate(String className, String sourceFile) {
        int dot = className.lastIndexOf('.');
        String packagePath = dot < 0 ? "" : className.substring(0, dot).replace('.', '/');
        String fileName = sourceFile != null ? sourceFile : topLevelSimpleName(className.substring(dot + 1)) + ".java";
        Path relative = packagePath.isEmpty() ? Path.of(fileName) : Path.of(packagePath, fileName);
        for (Path root : sourceRoots) {
            Path candidate = root.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return relative;
    }

    private static String topLevelSimpleName(String simpleBinaryName) {
        int dollar = simpleBinaryName.indexOf('$');
        return dollar <= 0 ? simpleBinaryName : simpleBinaryName.substring(0, dollar);
    }
}
