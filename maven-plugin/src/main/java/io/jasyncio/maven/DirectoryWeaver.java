package io.jasyncio.maven;

import io.jasyncio.weaver.Diagnostic;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Weaves every class file of a directory in memory and writes nothing: the caller decides from
 * the {@link Outcome} whether to write the woven classes ({@link ClassFileWriter}) or fail.
 * Weaving everything before writing anything is what lets a failing build leave every class
 * file as javac wrote it, and it lets the weaver read the hierarchy from files that do not
 * change under it.
 *
 * <p>Files are visited in sorted order, so reports and writes are the same on every run.
 * Temporary files left by a killed run are deleted on the way.
 */
final class DirectoryWeaver {
    private final Weaver weaver;

    /** @param weaver the build's one weaver, whose finder sees this directory and its classpath */
    DirectoryWeaver(Weaver weaver) {
        this.weaver = weaver;
    }

    /**
     * Weaves the class files under {@code classesDirectory}.
     *
     * @throws IOException when the directory cannot be listed or a class file cannot be read
     */
    Outcome weave(Path classesDirectory) throws IOException {
        int scanned = 0;
        List<Path> alreadyWoven = new ArrayList<>();
        List<WovenClass> woven = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path file : classFiles(classesDirectory)) {
            WeaveResult result = weaver.weave(Files.readAllBytes(file));
            scanned++;
            if (result.alreadyWoven()) {
                alreadyWoven.add(file);
            }
            for (Diagnostic diagnostic : result.diagnostics()) {
                problems.add(new Problem(file, diagnostic));
            }
            if (result.changed()) {
                woven.add(new WovenClass(file, result.className(), result.bytes(), result.wovenMethods()));
            }
        }
        return new Outcome(scanned, List.copyOf(alreadyWoven), List.copyOf(woven), List.copyOf(problems));
    }

    private static List<Path> classFiles(Path directory) throws IOException {
        List<Path> classFiles = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                if (file.getFileName().toString().endsWith(".class")) {
                    classFiles.add(file);
                } else if (ClassFileWriter.isStrayTemporary(file)) {
                    Files.deleteIfExists(file);
                }
            }
        }
        return classFiles;
    }

    /**
     * What weaving a directory found.
     *
     * @param classesScanned class files read
     * @param alreadyWovenFiles class files that carried the weaver's marker and were left alone
     * @param wovenClasses the classes the weaver rewrote (including those whose faulty methods now throw)
     * @param problems every misuse found, in file order then source order
     */
    record Outcome(int classesScanned, List<Path> alreadyWovenFiles, List<WovenClass> wovenClasses,
            List<Problem> problems) {
        /** Class files that carried the weaver's marker and were left alone. */
        int classesAlreadyWoven() {
            return alreadyWovenFiles.size();
        }

        /** Methods turned into state machines, over all classes. */
        int methodsWoven() {
            return wovenClasses.stream().mapToInt(WovenClass::methods).sum();
        }

        /** The files to write: class file → its woven bytes, in file order. */
        Map<Path, byte[]> files() {
            Map<Path, byte[]> files = new LinkedHashMap<>();
            for (WovenClass woven : wovenClasses) {
                files.put(woven.file(), woven.bytes());
            }
            return files;
        }
    }

    /**
     * One rewritten class.
     *
     * @param file its class file
     * @param className its name, with dots
     * @param bytes the woven class file
     * @param methods how many of its methods became state machines
     */
    record WovenClass(Path file, String className, byte[] bytes, int methods) {}

    /**
     * One misuse, with the class file it was found in.
     *
     * @param classFile the class file
     * @param diagnostic what the weaver said
     */
    record Problem(Path classFile, Diagnostic diagnostic) {
        /**
         * One line an IDE links to the source: {@code /abs/path/Foo.java:[12] message — fix},
         * without {@code [line]} when the class has no line numbers, and naming the class file
         * when the weaver could not read the class at all.
         */
        String format(SourceLocator sources) {
            String text = diagnostic.message() + " — " + diagnostic.fix();
            if (diagnostic.className() == null || diagnostic.className().equals("?")) {
                return classFile.toAbsolutePath() + ": " + text;
            }
            Path source = sources.locate(diagnostic.className(), diagnostic.sourceFile());
            return diagnostic.line() > 0 ? source + ":[" + diagnostic.line() + "] " + text : source + ": " + text;
        }
    }
}
