package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus again, compiled by JDK 25's javac with {@code --release 21} and {@code --release 25}
 * (class file versions 65 and 69), as libraries built today reach the agent. Every fixture is
 * woven here, checked with {@code CheckClassAdapter}, then linked and run on a JVM that loads
 * those versions: this one when it is recent enough, else one child JDK 25 JVM for the whole
 * batch ({@link ChildCorpusRunner}), whose verifier then checks the woven classes and whose
 * output must equal each fixture's expected output. Fixtures written in Java 21
 * ({@link TestPaths#java21Sources()}) join the corpus here. Nothing is skipped: without a JDK 25
 * the test fails and says where it looked ({@link Compilers#jdk25()}).
 */
class LateReleaseClassFilesTest {
    private static final int[] RELEASES = {21, 25};
    private static final long CHILD_TIMEOUT_MINUTES = 10;

    @TempDir
    static Path work;

    /** Every release's programs compiled and woven, and, where this JVM cannot run them, the child's results. */
    private static final Lazy<Batch> BATCH = Lazy.of(() -> Batch.prepare(work));

    @TestFactory
    Stream<DynamicContainer> eachRelease21Fixture_weavesVerifiesAndRunsAsPlainJava() {
        return containers(21);
    }

    @TestFactory
    Stream<DynamicContainer> eachRelease25Fixture_weavesVerifiesAndRunsAsPlainJava() {
        return containers(25);
    }

    private static Stream<DynamicContainer> containers(int release) {
        Batch batch = BATCH.get();
        List<WovenProgram> programs = batch.woven.get(release);
        if (runsHere(release)) {
            return CorpusChecks.containers(programs.stream().map(WovenProgram::program).collect(Collectors.toList()));
        }
        return programs.stream().filter(woven -> CorpusChecks.selected(woven.program())).map(woven -> DynamicContainer.dynamicContainer(woven.program().simpleName(), Stream.of(
                DynamicTest.dynamicTest("weaves", () -> CorpusChecks.weaves(woven)),
                DynamicTest.dynamicTest("verifies", () -> verifies(woven)),
                DynamicTest.dynamicTest("linksAndRunsOnJdk25", () -> runsInChild(batch, release, woven)))));
    }

    /** Whether this JVM loads class files of {@code release}. */
    private static boolean runsHere(int release) {
        return Runtime.version().feature() >= release;
    }

    private static void verifies(WovenProgram woven) {
        String problems = woven.verify(woven.newClassLoaderForVerification());
        if (!problems.isEmpty()) {
            fail("CheckClassAdapter rejects the woven classes of " + woven.program() + ":\n" + problems);
        }
    }

    private static void runsInChild(Batch batch, int release, WovenProgram woven) throws IOException {
        assertEquals("", batch.childFailure, "the JDK 25 child JVM did not run the batch");
        FixtureProgram program = woven.program();
        Path out = work.resolve(release + "/out");
        int childVersion = Integer.parseInt(Files.readString(out.resolve("jvm.version")).trim());
        assertTrue(childVersion >= release, "the child JVM is Java " + childVersion + ", too old for release " + release);
        Path stdoutFile = out.resolve(program.simpleName() + ".stdout");
        assertTrue(Files.exists(stdoutFile), () -> "the child JVM left no output for " + program);
        String stdout = Files.readString(stdoutFile, StandardCharsets.UTF_8);
        String problems = Files.readString(out.resolve(program.simpleName() + ".problems"), StandardCharsets.UTF_8);
        String expected = CorpusChecks.expectedOutput(program);
        String difference = TextDiff.firstDifference(expected, stdout);
        if (difference != null || !problems.isEmpty()) {
            fail(program + " (release " + release + ") did not run on JDK 25 as plain Java would"
                    + (difference == null ? "" : ": " + difference) + "\n" + problems
                    + "--- expected (" + CorpusChecks.expectedOutputResource(program) + "):\n" + expected
                    + "--- actual:\n" + stdout);
        }
    }

    /** The compiled and woven programs of every release, and how the child JVM ended ("" when it ran them all). */
    private static final class Batch {
        final Map<Integer, List<WovenProgram>> woven = new LinkedHashMap<>();
        String childFailure = "";

        static Batch prepare(Path work) {
            Batch batch = new Batch();
            List<String> classNames = new ArrayList<>();
            List<Path> sourceFiles = new ArrayList<>();
            for (FixtureProgram program : FixtureProgram.findAll(FixtureProgram.FIXTURES)) {
                classNames.add(program.className());
                sourceFiles.add(program.sourceFile());
            }
            for (Path source : java21Sources()) {
                String name = source.getFileName().toString();
                classNames.add(FixtureProgram.FIXTURES + "." + name.substring(0, name.length() - ".java".length()));
                sourceFiles.add(source);
            }
            List<String> childArguments = new ArrayList<>();
            for (int release : RELEASES) {
                Path classes = work.resolve(release + "/classes");
                String errors = Compilers.javacOfJdk25(release, sourceFiles, classes);
                assertTrue(errors.isEmpty(), () -> "JDK 25's javac does not compile the fixtures for release " + release
                        + ":\n" + errors);
                List<WovenProgram> programs = classNames.stream()
                        .map(name -> WovenProgram.weave(FixtureProgram.load(name, classes)))
                        .collect(Collectors.toList());
                batch.woven.put(release, programs);
                if (!runsHere(release)) {
                    Path wovenDir = work.resolve(release + "/woven");
                    programs.forEach(program -> write(program, wovenDir.resolve(program.program().simpleName())));
                    childArguments.add(wovenDir.toString());
                    childArguments.add(work.resolve(release + "/out").toString());
                }
            }
            if (!childArguments.isEmpty()) {
                batch.childFailure = runChild(childArguments, work.resolve("child.log"));
            }
            return batch;
        }

        /** The fixtures written in Java 21: at least one, or the directory moved. */
        private static List<Path> java21Sources() {
            Path dir = TestPaths.java21Sources().resolve(FixtureProgram.FIXTURES.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> sources = files.filter(file -> file.toString().endsWith(".java")).sorted()
                        .collect(Collectors.toList());
                assertTrue(!sources.isEmpty(), "no Java 21 fixture in " + dir);
                return sources;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the Java 21 fixtures in " + dir, e);
            }
        }

        private static void write(WovenProgram program, Path dir) {
            program.wovenClasses().forEach((name, bytes) -> {
                Path file = dir.resolve(name.replace('.', '/') + ".class");
                try {
                    Files.createDirectories(file.getParent());
                    Files.write(file, bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        /** Runs {@link ChildCorpusRunner} on JDK 25 with the test's class path; returns "" or what went wrong. */
        private static String runChild(List<String> arguments, Path log) {
            List<String> command = new ArrayList<>(List.of(Compilers.jdk25().resolve("bin/java").toString(),
                    "-cp", System.getProperty("java.class.path"), ChildCorpusRunner.class.getName()));
            command.addAll(arguments);
            try {
                Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!child.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    child.destroyForcibly();
                    return "still running after " + CHILD_TIMEOUT_MINUTES + " minutes: " + command + "\n"
                            + Files.readString(log);
                }
                String output = Files.readString(log);
                return child.exitValue() == 0 ? "" : "exit code " + child.exitValue() + ": " + command + "\n" + output;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the child JVM ran", e);
            }
        }
    }
}
