package io.jasyncio.weaver.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code main} of a child JVM that runs woven fixture programs which the JVM running the
 * tests cannot load (class files newer than it): {@link LateReleaseClassFilesTest} starts one on
 * JDK 25 for the whole batch. Arguments come in pairs, {@code wovenDir outDir}: each directory
 * of {@code wovenDir} holds one program's woven class files (named after its top-level class);
 * for each, the JVM links the classes (its verifier checks them) and runs the program in a fresh
 * class loader, and {@code outDir} receives {@code Name.stdout} (what it printed) and
 * {@code Name.problems} (link errors, failure, timeout, standard error; empty when none), and
 * {@code jvm.version} the feature version of the JVM that ran them.
 */
final class ChildCorpusRunner {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ChildCorpusRunner() {}

    public static void main(String[] args) throws IOException {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("expected pairs of wovenDir outDir, got " + List.of(args));
        }
        for (int i = 0; i < args.length; i += 2) {
            runAll(Path.of(args[i]), Path.of(args[i + 1]));
        }
    }

    private static void runAll(Path wovenDir, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve("jvm.version"), Integer.toString(Runtime.version().feature()));
        List<Path> programs;
        try (Stream<Path> dirs = Files.list(wovenDir)) {
            programs = dirs.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        }
        ClassLoader parent = ChildCorpusRunner.class.getClassLoader();
        for (Path program : programs) {
            String simpleName = program.getFileName().toString();
            Map<String, byte[]> classes = read(program);
            String className = FixtureProgram.FIXTURES + "." + simpleName;
            String linkErrors = WovenProgram.link(classes.keySet(), new FixtureClassLoader(simpleName, classes, parent));
            ProgramRun run = ProgramRun.run(new FixtureClassLoader(simpleName, classes, parent), className, TIMEOUT);
            String problems = (linkErrors.isEmpty() ? "" : "the JVM rejects the woven classes:\n" + linkErrors)
                    + run.describeProblems();
            Files.writeString(outDir.resolve(simpleName + ".stdout"), run.stdout(), StandardCharsets.UTF_8);
            Files.writeString(outDir.resolve(simpleName + ".problems"), problems, StandardCharsets.UTF_8);
        }
    }

    /** The class files under {@code root}, by binary name. */
    private static Map<String, byte[]> read(Path root) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                classes.put(relative.substring(0, relative.length() - ".class".length()), Files.readAllBytes(file));
            }
        }
        return classes;
    }
}
