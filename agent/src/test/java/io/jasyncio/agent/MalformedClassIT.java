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
 * A class file the agent cannot read goes to the JVM unchanged, with one warning line naming
 * the class; what the program then sees is the JVM's own {@code ClassFormatError}.
 */
class MalformedClassIT {
    @TempDir
    Path root;

    /** Defines classes from any bytes, as a framework that generates classes would. */
    private static final class DefiningLoader extends ClassLoader {
        DefiningLoader() {
            super(MalformedClassIT.class.getClassLoader());
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
            String[] stderr = new String[1];
            ClassFormatError thrown = assertThrows(ClassFormatError.class,
                    () -> stderr[0] = capturingStandardError(() -> new DefiningLoader().define("bad.Sleeper", bytes)));
            assertTrue(!thrown.getMessage().contains("jasyncio"), "the JVM's error, not ours: " + thrown);
            List<String> lines = lastCapture.lines().collect(Collectors.toList());
            assertEquals(1, lines.size(), "one warning line: " + lastCapture);
            assertTrue(lines.get(0).startsWith("jasyncio: warning: the class file of bad.Sleeper is malformed ("),
                    lines.get(0));
        }
    }

    private static String lastCapture = "";

    /** Runs {@code action} with standard error captured into {@link #lastCapture}, even when it throws. */
    private static String capturingStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
            lastCapture = captured.toString(StandardCharsets.UTF_8);
        }
        return lastCapture;
    }
}
