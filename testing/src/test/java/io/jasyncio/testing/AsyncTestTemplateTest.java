package io.jasyncio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@code @AsyncTest} as a test template: one JUnit invocation per schedule, each named after its
 * seed, on a fresh test instance with its own {@code @BeforeEach} and {@code @AfterEach}; the
 * search stops at the first failing seed. The fixtures (nested, so the build's own test run skips
 * them) run through a JUnit launcher ({@link FixtureRun}).
 */
class AsyncTestTemplateTest {

    static class FreshInstances {
        static final List<String> log = Collections.synchronizedList(new ArrayList<>());
        private static final AtomicInteger instances = new AtomicInteger();
        private final String id = "#" + instances.incrementAndGet();
        private int runs;
        private String seenInBeforeEach;

        @BeforeEach
        void setUp(TestInfo info) {
            seenInBeforeEach = info.getDisplayName();
            log.add("before each " + info.getDisplayName() + " " + id);
        }

        @AfterEach
        void tearDown(TestInfo info) {
            log.add("after each " + info.getDisplayName() + " " + id);
        }

        @AsyncTest(seed = 5, schedules = 3)
        @Async
        void countsItsRuns(TestInfo info) {
            runs++;
            Asyncio.sleep(Duration.ofSeconds(1));
            log.add(info.getDisplayName() + " on " + Thread.currentThread().getName() + ": run " + runs
                    + ", set up for " + seenInBeforeEach + " " + id);
        }

        @AsyncTest
        @Async
        void unseeded() {
            Asyncio.sleep(Duration.ZERO);
        }
    }

    @Test
    void eachSchedule_isAnInvocationOfItsOwn_onAFreshInstance_withItsOwnBeforeAndAfterEach() {
        FreshInstances.log.clear();
        FixtureRun run = FixtureRun.of(FreshInstances.class);
        assertEquals(Map.of("countsItsRuns seed 5", "passed", "countsItsRuns seed 6", "passed",
                "countsItsRuns seed 7", "passed", "unseeded", "passed"), run.outcomes);
        List<String> lines = new ArrayList<>(FreshInstances.log);
        lines.removeIf(line -> !line.contains("seed "));
        assertEquals(9, lines.size(), lines.toString());
        Set<String> instances = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            String seed = "seed " + (5 + i);
            String id = lines.get(3 * i).substring(lines.get(3 * i).lastIndexOf('#'));
            assertEquals(List.of("before each " + seed + " " + id,
                    seed + " on jasyncio-test " + seed + ": run 1, set up for " + seed + " " + id,
                    "after each " + seed + " " + id), lines.subList(3 * i, 3 * i + 3));
            instances.add(id);
        }
        assertEquals(3, instances.size(), "the schedules shared an instance: " + lines);
        assertEquals(4, FreshInstances.log.stream().filter(line -> line.startsWith("before each")).count());
    }

    static class StopsAtTheFirstFailure {
        static final List<String> ran = Collections.synchronizedList(new ArrayList<>());
        static int beforeEach;

        @BeforeEach
        void setUp() {
            beforeEach++;
        }

        @AsyncTest(seed = 10, schedules = 6)
        @Async
        void failsAtSeed12(TestInfo info) {
            failAtSeed12(info);
        }

        /** The failing seed given as the message says, to replay it. */
        @AsyncTest(seed = 12)
        @Async
        void failsAtSeed12_replayed(TestInfo info) {
            failAtSeed12(info);
        }

        @AsyncTest(seed = 3, schedules = 2)
        @Async
        void failsAtOnce() {
            Asyncio.sleep(Duration.ZERO);
            throw new IllegalArgumentException("first seed");
        }

        @Async
        static void failAtSeed12(TestInfo info) {
            ran.add(info.getTestMethod().orElseThrow().getName() + " " + info.getDisplayName());
            Asyncio.sleep(Duration.ofMillis(1));
            if (info.getDisplayName().equals("seed 12")) {
                throw new IllegalStateException("the race of seed 12");
            }
        }
    }

    /**
     * Also checks that JUnit asks for the invocations lazily, one at a time after the previous
     * one ran: were they made up front, seeds 13 to 15 would each be reported skipped, with
     * their own names, instead of as one remainder.
     */
    @Test
    void afterAFailingSeed_theRestDoNotRun_andAreReportedSkippedAsOne_namingTheFailedSeed() {
        StopsAtTheFirstFailure.ran.clear();
        StopsAtTheFirstFailure.beforeEach = 0;
        FixtureRun run = FixtureRun.of(StopsAtTheFirstFailure.class);
        String failed = "failed: java.lang.AssertionError: seed 12 failed (replay it with @AsyncTest(seed = 12)): "
                + "java.lang.IllegalStateException: the race of seed 12";
        String notRun = "skipped: not run: seed 12 failed (replay it with @AsyncTest(seed = 12))";
        assertEquals("passed", run.outcomes.get("failsAtSeed12 seed 10"));
        assertEquals("passed", run.outcomes.get("failsAtSeed12 seed 11"));
        assertEquals(failed, run.outcomes.get("failsAtSeed12 seed 12"));
        assertEquals(notRun, run.outcomes.get("failsAtSeed12 seeds 13 to 15"));
        assertEquals(failed, run.outcomes.get("failsAtSeed12_replayed seed 12"), "the replay's message differs");
        assertEquals("failed: java.lang.AssertionError: seed 3 failed (replay it with @AsyncTest(seed = 3)): "
                + "java.lang.IllegalArgumentException: first seed", run.outcomes.get("failsAtOnce seed 3"));
        assertEquals("skipped: not run: seed 3 failed (replay it with @AsyncTest(seed = 3))",
                run.outcomes.get("failsAtOnce seed 4"));
        assertEquals(7, run.outcomes.size(), run.outcomes.toString());
        List<String> ranOfTheSearch = new ArrayList<>(StopsAtTheFirstFailure.ran);
        ranOfTheSearch.removeIf(line -> !line.startsWith("failsAtSeed12 "));
        assertEquals(List.of("failsAtSeed12 seed 10", "failsAtSeed12 seed 11", "failsAtSeed12 seed 12"), ranOfTheSearch);
        assertEquals(5, StopsAtTheFirstFailure.beforeEach, "before each ran for a skipped seed"); // 3 + 1 + 1
        // the skipped remainder is reported after the failing seed ended: it was made then
        List<String> events = run.events;
        assertEquals(events.indexOf("finished failsAtSeed12 seed 12") + 1, events.indexOf("skipped failsAtSeed12 seeds 13 to 15"),
                events.toString());
    }

    @Test
    void withConditionsDeactivated_theSeedsAfterAFailureAreAborted_namingTheFailedSeed() {
        FixtureRun run = FixtureRun.of(StopsAtTheFirstFailure.class, Map.of("junit.jupiter.conditions.deactivate", "*"));
        assertEquals("aborted: org.opentest4j.TestAbortedException: not run: seed 3 failed (replay it with @AsyncTest(seed = 3))",
                run.outcomes.get("failsAtOnce seed 4"));
        assertEquals("aborted: org.opentest4j.TestAbortedException: not run: seed 12 failed (replay it with "
                + "@AsyncTest(seed = 12))", run.outcomes.get("failsAtSeed12 seeds 13 to 15"));
    }

    /** A project's own annotation carrying {@code @AsyncTest} and its settings. */
    @AsyncTest(seed = 40, schedules = 2)
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface TwoSeedsFrom40 {}

    static class Composed {
        @TwoSeedsFrom40
        @Async
        void search() {
            Asyncio.sleep(Duration.ZERO);
        }
    }

    @Test
    void asyncTest_onAnAnnotationOfOurOwn_runsItsSchedules() {
        assertEquals(Map.of("search seed 40", "passed", "search seed 41", "passed"), FixtureRun.of(Composed.class).outcomes);
    }

    /** Without JUnit the runner still runs every seed in one call, each on a loop thread named after it. */
    @Test
    void theRunnerAlone_runsEverySeedInOneCall_eachOnItsOwnThread() {
        List<Long> seeds = Collections.synchronizedList(new ArrayList<>());
        assertNull(AsyncTestRunner.firstFailure(AsyncTestRunner.Settings.seeds(3, 4), () -> {
            Asyncio.sleep(Duration.ZERO);
            seeds.add(Long.parseLong(Thread.currentThread().getName().substring("jasyncio-test seed ".length())));
        }));
        assertEquals(List.of(3L, 4L, 5L, 6L), seeds);
    }
}
