package io.jasyncio.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.maven.fixtures.BadCaller;
import io.jasyncio.maven.fixtures.Plain;
import io.jasyncio.maven.fixtures.Sleeper;
import io.jasyncio.weaver.Weaver;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWeaverTest {
    private static final String PACKAGE = "io/jasyncio/maven/fixtures/";

    @TempDir
    Path classes;

    @Test
    void weave_rewritesTheClassesWithAsyncMethods_only() throws IOException {
        copy(Sleeper.class, Plain.class);
        DirectoryWeaver.Outcome outcome = weave();
        assertEquals(2, outcome.classesScanned());
        assertEquals(0, outcome.classesAlreadyWoven());
        assertEquals(List.of("io.jasyncio.maven.fixtures.Sleeper"),
                outcome.wovenClasses().stream().map(DirectoryWeaver.WovenClass::className).toList());
        assertEquals(1, outcome.methodsWoven());
        assertEquals(List.of(), outcome.problems());
        assertEquals(List.of(classes.resolve(PACKAGE + "Sleeper.class")), List.copyOf(outcome.files().keySet()));
    }

    @Test
    void weave_writesNothingToDisk() throws IOException {
        copy(Sleeper.class, BadCaller.class);
        Map<Path, byte[]> before = snapshot();
        weave();
        assertSnapshotEquals(before);
    }

    @Test
    void weave_afterTheWovenClassesWereWritten_findsNothingToWrite() throws IOException {
        copy(Sleeper.class, Plain.class);
        new ClassFileWriter().writeAll(weave().files());
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        for (Path file : snapshot().keySet()) {
            Files.setLastModifiedTime(file, old);
        }
        Map<Path, byte[]> before = snapshot();

        DirectoryWeaver.Outcome second = weave();
        new ClassFileWriter().writeAll(second.files());

        assertEquals(2, second.classesScanned());
        assertEquals(1, second.classesAlreadyWoven());
        assertEquals(List.of(), second.wovenClasses());
        assertTrue(second.files().isEmpty());
        assertSnapshotEquals(before);
        for (Path file : before.keySet()) {
            assertEquals(old, Files.getLastModifiedTime(file), file + " was written again");
        }
    }

    @Test
    void weave_reportsEveryProblem_withItsClassFile() throws IOException {
        copy(Sleeper.class, BadCaller.class);
        DirectoryWeaver.Outcome outcome = weave();
        Path badCaller = classes.resolve(PACKAGE + "BadCaller.class");
        assertEquals(List.of("first", "second"),
                outcome.problems().stream().map(problem -> problem.diagnostic().methodName()).toList());
        for (DirectoryWeaver.Problem problem : outcome.problems()) {
            assertEquals(badCaller, problem.classFile());
            assertEquals("BadCaller.java", problem.diagnostic().sourceFile());
            assertTrue(problem.diagnostic().line() > 0);
        }
    }

    @Test
    void weave_deletesTemporaryFilesLeftByAKilledRun() throws IOException {
        copy(Plain.class);
        Path stray = Files.writeString(classes.resolve(PACKAGE + ".Plain.class.42" + ClassFileWriter.TEMPORARY_SUFFIX), "half");
        assertEquals(1, weave().classesScanned());
        assertFalse(Files.exists(stray));
    }

    @TempDir
    Path unwoven;

    @Test
    void unwovenCopy_holdsJavacsBytesAndTheResources_whileTheClassesAreWoven() throws IOException {
        copy(Sleeper.class, Plain.class);
        Files.writeString(classes.resolve("app.properties"), "name=x");
        Map<Path, byte[]> javac = snapshot();
        build();
        assertFalse(Arrays.equals(javac.get(classes.resolve(PACKAGE + "Sleeper.class")),
                Files.readAllBytes(classes.resolve(PACKAGE + "Sleeper.class"))), "Sleeper should be woven in place");
        assertCopyHolds(javac);
    }

    @Test
    void unwovenCopy_onABuildWithoutClean_keepsTheEarlierCopyOfWhatIsWovenAlready() throws IOException {
        copy(Sleeper.class, Plain.class);
        Map<Path, byte[]> javac = snapshot();
        build();
        build(); // javac wrote nothing: the classes directory holds the woven Sleeper
        assertCopyHolds(javac);
    }

    @Test
    void unwovenCopy_takesWhatJavacWroteAgain() throws IOException {
        copy(Sleeper.class, Plain.class);
        Map<Path, byte[]> javac = snapshot();
        build();
        Path copied = unwoven.resolve(PACKAGE + "Sleeper.class");
        Files.write(copied, new byte[] {1, 2, 3}); // stands for the copy of an older version of the source
        Files.copy(locationOf(Sleeper.class).resolve(PACKAGE + "Sleeper.class"), classes.resolve(PACKAGE + "Sleeper.class"),
                StandardCopyOption.REPLACE_EXISTING); // javac wrote it again
        build();
        assertCopyHolds(javac);
    }

    @Test
    void unwovenCopy_withoutTheEarlierCopyOfAWovenClass_failsNamingIt() throws IOException {
        copy(Sleeper.class, Plain.class);
        build();
        Files.delete(unwoven.resolve(PACKAGE + "Sleeper.class"));
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> UnwovenCopy.keep(classes, weave(), unwoven));
        assertEquals(classes.resolve(PACKAGE + "Sleeper.class") + " was woven in place by an earlier build, and the copy "
                + "has no unwoven version of it; build with clean", thrown.getMessage());
    }

    /** What the goal does with {@code unwovenCopy} set: weave in memory, keep the copy, write. */
    private void build() throws IOException {
        DirectoryWeaver.Outcome outcome = weave();
        UnwovenCopy.keep(classes, outcome, unwoven);
        new ClassFileWriter().writeAll(outcome.files());
    }

    private void assertCopyHolds(Map<Path, byte[]> javac) throws IOException {
        for (Map.Entry<Path, byte[]> file : javac.entrySet()) {
            Path copied = unwoven.resolve(classes.relativize(file.getKey()).toString());
            assertArrayEquals(file.getValue(), Files.readAllBytes(copied), copied + " is not what javac wrote");
        }
        try (Stream<Path> files = Files.walk(unwoven)) {
            assertEquals(javac.size(), files.filter(Files::isRegularFile).count());
        }
    }

    private DirectoryWeaver.Outcome weave() throws IOException {
        try (ClasspathFinder finder = ClasspathFinder.of(classes, List.of(locationOf(Asyncio.class)))) {
            return new DirectoryWeaver(new Weaver(finder)).weave(classes);
        }
    }

    private void copy(Class<?>... types) throws IOException {
        Path target = Files.createDirectories(classes.resolve(PACKAGE));
        for (Class<?> type : types) {
            Path source = locationOf(type).resolve(PACKAGE + type.getSimpleName() + ".class");
            Files.copy(source, target.resolve(type.getSimpleName() + ".class"));
        }
    }

    private Map<Path, byte[]> snapshot() throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        try (var paths = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                files.put(file, Files.readAllBytes(file));
            }
        }
        return files;
    }

    private void assertSnapshotEquals(Map<Path, byte[]> before) throws IOException {
        Map<Path, byte[]> after = snapshot();
        assertEquals(before.keySet(), after.keySet());
        for (Path file : before.keySet()) {
            assertArrayEquals(before.get(file), after.get(file), file + " changed");
        }
    }

    private static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
