package io.jasyncio.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.AsyncCallable;
import io.jasyncio.Asyncio;
import io.jasyncio.weaver.ClassFinder;
import io.jasyncio.weaver.WeaveResult;
import io.jasyncio.weaver.Weaver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * The agent's own pieces, without the agent: the hand-written class file scan, and the
 * transformer fed with broken bytes (it must never throw, and say one line per unreadable class).
 */
class WeavingTransformerTest {
    /** A class with an @Async method, a call into the runtime and a lambda of an @Async interface. */
    static final class Sample {
        @Async
        static int nap() {
            Asyncio.sleep(Duration.ZERO);
            return Helper.value();
        }

        static AsyncCallable<Integer> task() {
            return () -> 1;
        }

        static IntSupplier plain() {
            return () -> 2;
        }
    }

    static final class Helper {
        static int value() {
            return 3;
        }
    }

    private static byte[] bytesOf(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void scan_findsNameSupertypesMarkersAndReferences() throws Exception {
        ClassFileScan sample = ClassFileScan.of(bytesOf(Sample.class));
        assertEquals("io/jasyncio/agent/WeavingTransformerTest$Sample", sample.name);
        assertEquals("java/lang/Object", sample.superName);
        assertEquals(0, sample.interfaces.length);
        assertTrue(sample.mentionsAsync);
        assertFalse(sample.woven);
        // Asyncio (sleep), Helper (value) and the lambda's AsyncCallable; IntSupplier and the JDK are left out.
        assertTrue(sample.references.containsAll(List.of("io/jasyncio/Asyncio", "io/jasyncio/agent/WeavingTransformerTest$Helper",
                "io/jasyncio/AsyncCallable")), sample.references::toString);
        assertTrue(sample.references.stream().noneMatch(ClassFileScan::isPlatformClass), sample.references::toString);

        ClassFileScan helper = ClassFileScan.of(bytesOf(Helper.class));
        assertFalse(helper.mentionsAsync);
        assertEquals(List.of(), helper.references);
    }

    /** Class-retention annotations with every kind of element value, so the scan must skip them to reach the marker. */
    @Retention(RetentionPolicy.CLASS)
    @interface Tagged {
        String text();
        int[] numbers();
        RetentionPolicy policy();
        Class<?> type();
        Retention nested();
    }

    /** Spells the marker's descriptor in a string constant and carries other annotations, but was never woven. */
    @Tagged(text = "t", numbers = {1, 2}, policy = RetentionPolicy.CLASS, type = String.class,
            nested = @Retention(RetentionPolicy.SOURCE))
    static final class SpellsTheMarker {
        static final String MARKER = "Lio/jasyncio/internal/Woven;";

        @Async
        static String nap() {
            Asyncio.sleep(Duration.ZERO);
            return MARKER;
        }
    }

    @Test
    void scan_ofAClassThatOnlySpellsTheMarker_isNotTakenForWoven() throws Exception {
        // Regression: any Utf8 constant equal to the marker's descriptor made the agent leave the
        // class alone, so its @Async methods ran unwoven.
        byte[] plain = bytesOf(SpellsTheMarker.class);
        assertFalse(ClassFileScan.of(plain).woven);
        WeaveResult woven = new Weaver(ClassFinder.ofClassLoader(getClass().getClassLoader())).weave(plain);
        assertTrue(woven.changed());
        assertTrue(ClassFileScan.of(woven.bytes()).woven, "the marker after the other annotations is found");
    }

    @Test
    void scan_ofTruncatedOrExtendedFiles_reportsThemMalformed() throws Exception {
        byte[] valid = bytesOf(Sample.class);
        for (int length = 0; length < valid.length; length++) {
            byte[] truncated = Arrays.copyOf(valid, length);
            assertThrows(ClassFileScan.MalformedClassException.class, () -> ClassFileScan.of(truncated), "length " + length);
        }
        assertThrows(ClassFileScan.MalformedClassException.class, () -> ClassFileScan.of(Arrays.copyOf(valid, valid.length + 1)));
    }

    @Test
    void transform_ofRandomlyDamagedClassFiles_neverThrowsAndWarnsOnceForEachUnreadableOne() throws Exception {
        WeavingTransformer transformer = new WeavingTransformer(/* verbose = */ false);
        ClassLoader loader = getClass().getClassLoader();
        Random random = new Random(42);
        List<byte[]> originals = List.of(bytesOf(Sample.class), bytesOf(Helper.class), bytesOf(WeavingTransformerTest.class));
        List<String> thrown = new ArrayList<>();
        for (int round = 0; round < 3000; round++) {
            byte[] bytes = originals.get(round % originals.size()).clone();
            if (random.nextBoolean()) {
                bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            } else {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            boolean malformed = isMalformed(bytes);
            byte[] input = bytes;
            String className = "fuzz/Case" + round;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream original = System.err;
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            byte[] result;
            try {
                result = transformer.transform(loader, className, null, null, input);
            } catch (Throwable failure) {
                thrown.add(className + ": " + failure);
                continue;
            } finally {
                System.setErr(original);
            }
            if (malformed) {
                assertNull(result);
                List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
                assertEquals(1, lines.size(), lines::toString);
                assertTrue(lines.get(0).startsWith("jasyncio: warning: the class file of fuzz.Case" + round + " is malformed"),
                        lines.get(0));
            }
        }
        assertEquals(List.of(), thrown);
    }

    @Test
    void transform_ofAClassWithNothingToWeave_returnsNull() throws Exception {
        WeavingTransformer transformer = new WeavingTransformer(false);
        byte[] helper = bytesOf(Helper.class);
        byte[] before = helper.clone();
        assertNull(transformer.transform(getClass().getClassLoader(), "fuzz/Helper", null, null, helper));
        assertArrayEquals(before, helper);
    }

    private static boolean isMalformed(byte[] bytes) {
        try {
            ClassFileScan.of(bytes);
            return false;
        } catch (ClassFileScan.MalformedClassException e) {
            return true;
        }
    }
}
