package io.jasyncio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Seeded schedules: deterministic per seed, different across seeds, and within what the contract leaves free. */
class SeededScheduleTest {

    /** The order in which six tasks made ready in the same step run, under {@code seed}. */
    private static List<Integer> orderUnder(long seed) {
        List<Integer> order = new ArrayList<>();
        Throwable failure = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(seed, 1), seed, () -> {
            for (int i = 0; i < 6; i++) {
                int index = i;
                Asyncio.createTask(() -> {
                    order.add(index);
                    return null;
                });
            }
            Asyncio.sleep(Duration.ofMillis(1));
        });
        assertNull(failure);
        return order;
    }

    @Test
    void seedZero_isFirstInFirstOut() {
        assertEquals(List.of(0, 1, 2, 3, 4, 5), orderUnder(0));
    }

    @Test
    void sameSeed_sameOrder_andSeedsDiffer() {
        Set<List<Integer>> orders = new HashSet<>();
        for (long seed = 1; seed <= 50; seed++) {
            List<Integer> order = orderUnder(seed);
            assertEquals(order, orderUnder(seed), "seed " + seed + " replayed differently");
            assertEquals(Set.of(0, 1, 2, 3, 4, 5), Set.copyOf(order));
            orders.add(order);
        }
        assertTrue(orders.size() > 10, "50 seeds gave only " + orders.size() + " orders");
    }

    @Test
    void timersDueAtTheSameInstant_wakeInTheOrderTheirSleepsWereMade_underEverySeed() {
        for (long seed = 1; seed <= 100; seed++) {
            List<Integer> slept = new ArrayList<>();
            List<Integer> woke = new ArrayList<>();
            assertNull(AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(seed, 1), seed, () -> {
                for (int i = 0; i < 5; i++) {
                    int index = i;
                    Asyncio.createTask(() -> {
                        slept.add(index);
                        Asyncio.sleep(Duration.ofMillis(10));
                        woke.add(index);
                        return null;
                    });
                }
                Asyncio.sleep(Duration.ofMillis(20));
            }));
            assertEquals(slept, woke, "seed " + seed);
        }
    }

    @Test
    void tasksOfOneStep_runBeforeTasksMadeReadyDuringIt_underEverySeed() {
        for (long seed = 1; seed <= 100; seed++) {
            List<Integer> rounds = new ArrayList<>();
            assertNull(AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(seed, 1), seed, () -> {
                for (int t = 0; t < 3; t++) {
                    Asyncio.createTask(() -> {
                        for (int round = 0; round < 4; round++) {
                            rounds.add(round);
                            Asyncio.sleep(Duration.ZERO);
                        }
                        return null;
                    });
                }
                Asyncio.sleep(Duration.ofMillis(1));
            }));
            List<Integer> sorted = new ArrayList<>(rounds);
            sorted.sort(null);
            assertEquals(sorted, rounds, "seed " + seed + ": a task ran a step ahead of another");
        }
    }

    @Test
    void failure_namesTheSeed_andTheSeedReplaysIt() {
        // fails only when the second task runs first in its step
        AsyncTestRunner.Settings settings = AsyncTestRunner.Settings.seeds(0, 100);
        Throwable failure = AsyncTestRunner.firstFailure(settings, SeededScheduleTest::secondRunsFirst);
        String message = failure.getMessage();
        assertTrue(message.startsWith("seed "), message);
        long seed = Long.parseLong(message.substring("seed ".length(), message.indexOf(' ', "seed ".length())));
        assertTrue(message.contains("replay it with @AsyncTest(seed = " + seed + ")"), message);
        Throwable replayed = AsyncTestRunner.runSchedule(AsyncTestRunner.Settings.seeds(seed, 1), seed,
                SeededScheduleTest::secondRunsFirst);
        assertEquals(message, replayed.getMessage());
    }

    @Async
    private static void secondRunsFirst() {
        List<String> order = new ArrayList<>();
        Asyncio.createTask(() -> order.add("first"));
        Asyncio.createTask(() -> order.add("second"));
        Asyncio.sleep(Duration.ofMillis(1));
        assertEquals(List.of("first", "second"), order);
    }

    /** The annotation's own loop over seeds, on a test that holds under every order. */
    @AsyncTest(schedules = 200)
    @Async
    void everyScheduleOfAnOrderFreeTest_passes() {
        List<Integer> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int index = i;
            Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ZERO);
                done.add(index);
                return null;
            });
        }
        Asyncio.sleep(Duration.ofMillis(1));
        assertEquals(Set.of(0, 1, 2, 3), Set.copyOf(done));
    }
}
