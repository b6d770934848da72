package io.jasyncio.weaver.corpus;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.eclipse.jdt.core.compiler.batch.BatchCompiler;

/**
 * Compiles fixture sources at test time, against the runtime only, with javac (any options) or
 * the Eclipse compiler, so that the weaver meets the bytecode shapes of each.
 */
final class Compilers {
    private Compilers() {}

    /** Compiles {@code sources} into {@code out} with javac and {@code options}; returns the errors, empty on success. */
    static String javac(List<String> options, List<Path> sources, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            List<String> all = new ArrayList<>(options);
            all.addAll(List.of("-nowarn", "-proc:none", "-classpath", runtimeClasses().toString(), "-d", out.toString()));
            boolean compiled = javac.getTask(new StringWriter(), files, diagnostic -> {
                if (diagnostic.getKind() == Diagnostic.Kind.ERROR) {
                    errors.append(diagnostic.toString()).append('\n');
                }
            }, all, null, units).call();
            return compiled ? "" : errors.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles {@code sources} into {@code out} with ECJ at Java 17; returns the errors, empty on success. */
    static String ecj(List<Path> sources, Path out) {
        return ecj(List.of("-17"), sources, out);
    }

    /** Compiles {@code sources} into {@code out} with ECJ and {@code options}; returns the errors, empty on success. */
    static String ecj(List<String> options, List<Path> sources, Path out) {
        List<String> arguments = new ArrayList<>(options);
        arguments.addAll(List.of("-nowarn", "-proc:none", "-encoding", "UTF-8",
                "-classpath", runtimeClasses().toString(), "-d", out.toString()));
        sources.forEach(source -> arguments.add(source.toString()));
        StringWriter errors = new StringWriter();
        boolean compiled = BatchCompiler.compile(arguments.toArray(new String[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(errors), null);
        return compiled ? "" : errors.toString();
    }

    /**
     * Compiles {@code sources} into {@code out} with JDK 25's javac for {@code --release release}:
     * in this JVM when it is JDK 25 or later, else by running that JDK's {@code javac} in a
     * process of its own. Returns the errors, empty on success.
     */
    static String javacOfJdk25(int release, List<Path> sources, Path out) {
        if (Runtime.version().feature() >= 25) {
            return javac(List.of("--release", Integer.toString(release)), sources, out);
        }
        try {
            Path arguments = Files.createTempFile("javac", ".args");
            try {
                List<String> lines = new ArrayList<>(List.of("--release", Integer.toString(release), "-nowarn",
                        "-proc:none", "-encoding", "UTF-8", "-classpath", quoted(runtimeClasses()), "-d", quoted(out)));
                sources.forEach(source -> lines.add(quoted(source)));
                Files.write(arguments, lines, StandardCharsets.UTF_8);
                Process javac = new ProcessBuilder(jdk25().resolve("bin/javac").toString(), "@" + arguments)
                        .redirectErrorStream(true).start();
                String output = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return javac.waitFor() == 0 ? "" : jdk25().resolve("bin/javac") + " failed:\n" + output;
            } finally {
                Files.deleteIfExists(arguments);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling", e);
        }
    }

    private static String quoted(Path path) {
        return '"' + path.toString().replace("\\", "\\\\") + '"';
    }

    /** System property naming a JDK 25 home, for machines where it is not under {@code /usr/lib/jvm}. */
    static final String JDK_25 = "jasyncio.jdk25";

    /**
     * The home of a JDK 25: the one named by {@value #JDK_25}, this JVM's when it is 25 or later,
     * else a {@code /usr/lib/jvm/temurin-25*} (as {@code .ci/run} looks for it).
     *
     * @throws IllegalStateException when there is none: the release 21 and 25 corpus needs it
     */
    static Path jdk25() {
        String configured = System.getProperty(JDK_25);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        if (Runtime.version().feature() >= 25) {
            return Path.of(System.getProperty("java.home"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                Path found = homes.filter(home -> home.getFileName().toString().startsWith("temurin-25")
                                && Files.isExecutable(home.resolve("bin/javac")))
                        .max(Comparator.naturalOrder()).orElse(null);
                if (found != null) {
                    return found;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no JDK 25 to compile and run the corpus for releases 21 and 25: install "
                + "Temurin 25 under /usr/lib/jvm/temurin-25*, or name its home with -D" + JDK_25 + "=...");
    }

    /** Where the runtime's classes are: the only library the fixtures compile against. */
    static Path runtimeClasses() {
        try {
            return Path.of(Asyncio.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
