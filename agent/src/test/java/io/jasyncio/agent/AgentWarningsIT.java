package io.jasyncio.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent says on standard error when it cannot do its work: a class file it cannot
 * read goes to the JVM unchanged, with one warning line naming the class (what the program
 * then sees is the JVM's own {@code ClassFormatError}); a class that could not be read when
 * another one called it turns out to have {@code @Async} methods; a class loader cannot see
 * the runtime.
 */
class AgentWarningsIT {
    @TempDir
    Path root;

    /** Defines classes from any bytes, as a framework that generates classes would. */
    private static final class DefiningLoader extends ClassLoader {
        DefiningLoader(ClassLoader parent) {
            super(parent);
        }

        DefiningLoader() {
            super(AgentWarningsIT.class.getClassLoader());
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    @Test
    void malformedClassFiles_passUnchangedWithOneWarningEach() throws Exception {
        Path classes = SourcePrograms.compile(root, Map.of("bad.Sleeper", "package bad;\n"
                + "public class Sleeper {\n"
                + "  @io.jasyncio.Async static void nap() { io.jasyncio.Asyncio.sleep(java.time.Duration.ZERO); }\n"
                + "}\n"));
        byte[] valid = Files.readAllBytes(classes.resolve("bad/Sleeper.class"));
        byte[] extra = Arrays.copyOf(valid, valid.length + 3);
        byte[] badTag = valid.clone();
        badTag[10] = 99; // the first constant pool entry's tag
        List<byte[]> malformed = List.of(
                Arrays.copyOf(valid, valid.length / 2), // truncated in the middle
                Arrays.copyOf(valid, valid.length - 1), // truncated in the last attribute
                extra, badTag, new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61},
                "not a class file at all".getBytes(StandardCharsets.US_ASCII));
        for (byte[] bytes : malformed) {
            ClassFormatError thrown = assertThrows(ClassFormatError.class,
                    () -> capturingStandardError(() -> new DefiningLoader().define("bad.Sleeper", bytes)));
            assertTrue(!thrown.getMessage().contains("jasyncio"), "the JVM's error, not ours: " + thrown);
            List<String> lines = lastCapture.lines().collect(Collectors.toList());
            assertEquals(1, lines.size(), "one warning line: " + lastCapture);
            assertTrue(lines.get(0).startsWith("jasyncio: warning: the class file of bad.Sleeper is malformed ("),
                    lines.get(0));
        }
    }

    @Test
    void classCalledBeforeItLoadsThatTheLoaderCannotServe_warnsWhenItTurnsOutAsync() throws Exception {
        Path classes = SourcePrograms.compile(root, Map.of(
                "served.Client", "package served;\npublic class Client { public static int use() { return Service.call(); } }\n",
                "served.Service", "package served;\npublic class Service {\n"
                        + "  @io.jasyncio.Async public static int call() { io.jasyncio.Asyncio.sleep(java.time.Duration.ZERO); return 1; }\n"
                        + "}\n"));
        DefiningLoader loader = new DefiningLoader(); // defines classes from bytes; serves none as resources
        capturingStandardError(() -> loader.define("served.Client", read(classes, "served/Client.class")));
        assertEquals("", lastCapture, "nothing to say yet: Service is taken to have no @Async methods");
        capturingStandardError(() -> loader.define("served.Service", read(classes, "served/Service.class")));
        assertEquals(List.of("jasyncio: warning: served.Service has @Async methods, but its class loader could not give "
                        + "its class file when served.Client loaded; the calls that class makes to it were not checked for misuse"),
                lastCapture.lines().collect(Collectors.toList()));
    }

    @Test
    void loaderThatCannotSeeTheRuntime_wovenNothingAndSaysSoOnce() throws Exception {
        Path classes = SourcePrograms.compile(root, Map.of(
                "alone.First", "package alone;\npublic class First { @io.jasyncio.Async static void a() {} }\n",
                "alone.Second", "package alone;\npublic class Second { @io.jasyncio.Async static void b() {} }\n"));
        DefiningLoader loader = new DefiningLoader(ClassLoader.getPlatformClassLoader());
        capturingStandardError(() -> {
            loader.define("alone.First", read(classes, "alone/First.class"));
            loader.define("alone.Second", read(classes, "alone/Second.class"));
        });
        assertEquals(List.of("jasyncio: warning: alone.First has @Async methods, but its class loader cannot see "
                        + "jasyncio-runtime; nothing is woven for that loader (add the runtime to its class path)"),
                lastCapture.lines().collect(Collectors.toList()));
    }

    private static byte[] read(Path classes, String file) {
        try {
            return Files.readAllBytes(classes.resolve(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String lastCapture = "";

    /** Runs {@code action} with standard error captured into {@link #lastCapture}, even when it throws. */
    private static void capturingStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
            lastCapture = captured.toString(StandardCharsets.UTF_8);
        }
    }
}
