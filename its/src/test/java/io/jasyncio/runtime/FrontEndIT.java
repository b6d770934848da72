package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Proves which front end wove the behaviour tests of this run, so that neither run of this
 * module can silently test the other's output: the build runs them once on class files the
 * Maven plugin wove (no agent) and once on javac's class files under the agent. The build tells
 * each run which one it is in {@code jasyncio.its.frontEnd}.
 */
class FrontEndIT extends AsyncTestBase {
    private static final String WOVEN_MARKER = "Lio/jasyncio/internal/Woven;";

    @Test
    void theClassFilesOnDiskAndTheAgent_matchTheFrontEndOfThisRun() throws IOException {
        String frontEnd = System.getProperty("jasyncio.its.frontEnd");
        assertNotNull(frontEnd, "the build must say which front end this run tests");
        boolean agentLoaded = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(argument -> argument.startsWith("-javaagent:") && argument.contains("jasyncio-agent"));
        boolean wovenOnDisk = classFileOf(OrderIT.class).contains(WOVEN_MARKER);
        switch (frontEnd) {
            case "plugin":
                assertEquals(false, agentLoaded, "the plugin's run must not have the agent");
                assertEquals(true, wovenOnDisk, "the plugin's run must load class files the plugin wove");
                break;
            case "agent":
                assertEquals(true, agentLoaded, "the agent's run must have the agent");
                assertEquals(false, wovenOnDisk, "the agent's run must load javac's class files");
                break;
            default:
                throw new AssertionError("unknown front end " + frontEnd);
        }
        // And the code runs woven either way: the two tasks interleave at the sleeps.
        StringBuilder order = new StringBuilder();
        run(() -> {
            var other = Asyncio.createTask(() -> {
                order.append('b');
                Asyncio.sleep(Duration.ZERO);
                order.append('d');
            });
            order.append('a');
            Asyncio.sleep(Duration.ZERO);
            order.append('c');
            other.await();
        });
        assertEquals("abcd", order.toString());
        finish(1);
    }

    private static String classFileOf(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            assertNotNull(in, "no class file for " + type.getName());
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
