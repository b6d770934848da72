package io.jasyncio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The extension end to end: the fixture classes below (nested, so the build's own test run
 * skips them) are run through a JUnit launcher ({@link FixtureRun}), and each test's outcome is
 * checked. {@link AsyncTestTemplateTest} checks the invocations of seeded schedules.
 */
class AsyncTestExtensionTest {

    static class Fixture {
        @AsyncTest
        @Async
        void passing() {
            Task<Integer> child = Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ofSeconds(5));
                return 42;
            });
            assertEquals(42, child.await());
        }

        @AsyncTest
        @Async
        void failingAfterAPark() {
            Asyncio.sleep(Duration.ofSeconds(1));
            throw new IllegalStateException("main failed after a park");
        }

        @AsyncTest
        @Async
        void failingChild() {
            Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ofSeconds(1));
                throw new IllegalArgumentException("child boom");
            });
            Asyncio.sleep(Duration.ofSeconds(2));
        }

        @AsyncTest
        @Async
        void leavingATaskBehind() {
            Asyncio.createTask("forgotten", () -> {
                Asyncio.sleep(Duration.ofHours(1));
                return null;
            });
            Asyncio.sleep(Duration.ZERO);
        }

        @AsyncTest
        void notAsync() {
        }

        @AsyncTest(schedules = 3, seed = 7)
        @Async
        void failingSeeded() {
            Asyncio.sleep(Duration.ZERO);
            throw new AssertionError("always");
        }
    }

    @Test
    void outcomesOfTheFixture() {
        Map<String, String> outcomes = FixtureRun.of(Fixture.class).outcomes;
        assertEquals("passed", outcomes.get("passing"));
        assertEquals("failed: java.lang.IllegalStateException: main failed after a park", outcomes.get("failingAfterAPark"));
        String child = outcomes.get("failingChild");
        assertTrue(child.startsWith("failed: java.lang.AssertionError: a task failed and nobody retrieved its failure")
                && child.contains("child boom"), child);
        String left = outcomes.get("leavingATaskBehind");
        assertTrue(left.startsWith("failed: java.lang.AssertionError: the test left behind 1 tasks not ended")
                && left.contains("forgotten") && left.contains("1 timers"), left);
        String notAsync = outcomes.get("notAsync");
        assertTrue(notAsync.contains("must also be annotated @Async"), notAsync);
        assertEquals("failed: java.lang.AssertionError: seed 7 failed (replay it with @AsyncTest(seed = 7)): "
                + "java.lang.AssertionError: always", outcomes.get("failingSeeded seed 7"));
        assertEquals("skipped: not run: seed 7 failed (replay it with @AsyncTest(seed = 7))",
                outcomes.get("failingSeeded seeds 8 to 9"));
        assertEquals(7, outcomes.size(), outcomes.toString());
    }

    /** The woven test method gets the arguments JUnit resolved, here its TestInfo. */
    @AsyncTest
    @Async
    void parameters_areResolvedByJUnit(org.junit.jupiter.api.TestInfo info) {
        Asyncio.sleep(Duration.ofMillis(1));
        assertEquals("parameters_areResolvedByJUnit", info.getTestMethod().orElseThrow().getName());
    }

}
