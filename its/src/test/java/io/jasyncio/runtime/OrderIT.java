package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of tasks and timers on one loop (API.md, "Order"), with woven code. */
class OrderIT extends AsyncTestBase {

    @Test
    void namedTaskWithoutAResult_runsAfterTheCallerParksAndKeepsItsName() {
        run(() -> {
            Task<Void> named = Asyncio.createTask("named", () -> {
                expect(2);
                Asyncio.sleep(Duration.ZERO);
                expect(4);
            });
            assertEquals("named", named.name());
            expect(1);
            Asyncio.sleep(Duration.ZERO);
            expect(3);
            named.await();
            finish(5);
        });
    }

    @Test
    void readyTasks_runFirstInFirstOut() {
        run(() -> {
            expect(1);
            Asyncio.createTask(() -> expect(3));
            Asyncio.createTask(() -> expect(4));
            Asyncio.createTask(() -> expect(5));
            expect(2);
            Asyncio.sleep(Duration.ZERO);
            finish(6);
        });
    }

    @Test
    void sleepZero_letsEveryOtherReadyTaskRunOnce() {
        run(() -> {
            expect(1);
            Task<Void> first = Asyncio.createTask(() -> {
                expect(3);
                Asyncio.sleep(Duration.ZERO);
                expect(6);
                Asyncio.sleep(Duration.ZERO);
                expect(9);
            });
            Asyncio.createTask(() -> {
                expect(4);
                Asyncio.sleep(Duration.ZERO);
                expect(7);
            });
            expect(2);
            Asyncio.sleep(Duration.ZERO);
            expect(5);
            Asyncio.sleep(Duration.ZERO);
            expect(8);
            first.await();
            finish(10);
        });
    }

    @Test
    void createTask_newTaskRunsAfterReadyTasksAndOnlyAfterItsCreatorParks() {
        run(() -> {
            expect(1);
            Task<Void> creator = Asyncio.createTask(() -> {
                expect(3);
                Asyncio.createTask(() -> expect(7));
                expect(4); // the new task waits: its creator has not parked yet
                Asyncio.sleep(Duration.ZERO);
                expect(8);
            });
            Asyncio.createTask(() -> expect(5));
            expect(2);
            Asyncio.sleep(Duration.ZERO);
            expect(6); // main was ready before the new task was created
            creator.await();
            finish(9);
        });
    }

    @Async
    static void printThree(List<String> out, String first, String second, String third) {
        for (String letter : List.of(first, second, third)) {
            out.add(letter);
            Asyncio.sleep(Duration.ZERO);
        }
    }

    @Test
    void twoCoroutines_interleaveLikeTheSeed() {
        List<String> printed = new ArrayList<>();
        run(() -> {
            Task<Void> abc = Asyncio.createTask(() -> printThree(printed, "A", "B", "C"));
            Task<Void> xyz = Asyncio.createTask(() -> printThree(printed, "X", "Y", "Z"));
            abc.await();
            xyz.await();
        });
        assertEquals(List.of("A", "X", "B", "Y", "C", "Z"), printed);
        finish(1);
    }

    @Async
    static String sayAfter(List<String> out, long millis, String what) {
        Asyncio.sleep(millis);
        out.add(what);
        return what;
    }

    @Test
    void timers_shorterFirst() {
        List<String> woken = new ArrayList<>();
        runInVirtualTime(() -> {
            Task<String> slow = Asyncio.createTask(() -> sayAfter(woken, 30, "30 ms"));
            Task<String> quick = Asyncio.createTask(() -> sayAfter(woken, 10, "10 ms"));
            Task<String> middle = Asyncio.createTask(() -> sayAfter(woken, 20, "20 ms"));
            return slow.await() + quick.await() + middle.await();
        });
        assertEquals(List.of("10 ms", "20 ms", "30 ms"), woken);
        assertEquals(30, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void timers_equalDurationsStartedInOneStep_wakeInCallOrder() {
        List<String> woken = new ArrayList<>();
        runInVirtualTime(() -> {
            List<Task<String>> tasks = new ArrayList<>();
            for (String name : List.of("first", "second", "third", "fourth")) {
                tasks.add(Asyncio.createTask(() -> sayAfter(woken, 7, name)));
            }
            List<String> results = new ArrayList<>();
            for (Task<String> task : tasks) {
                results.add(task.await());
            }
            return results;
        });
        assertEquals(List.of("first", "second", "third", "fourth"), woken);
        finish(1);
    }

    @Test
    void timers_equalDeadlinesFromDifferentSteps_wakeInCallOrderNotCreationOrder() {
        List<String> woken = new ArrayList<>();
        runInVirtualTime(() -> {
            // Both fall due at 20 ms. The "late caller" was created first, but makes its last
            // sleep call at 10 ms, after the "early caller" made its one at 0 ms.
            Task<String> late = Asyncio.createTask(() -> {
                Asyncio.sleep(10);
                return sayAfter(woken, 10, "late caller");
            });
            Task<String> early = Asyncio.createTask(() -> sayAfter(woken, 20, "early caller"));
            return late.await() + early.await();
        });
        assertEquals(List.of("early caller", "late caller"), woken);
        assertEquals(20, clock.elapsedMillis());
        finish(1);
    }

    @Test
    void sleep_positiveDelay_wakesOnlyAfterReadyTasksStopYielding() {
        runInVirtualTime(() -> {
            expect(1);
            Asyncio.createTask(() -> {
                for (int i = 2; i <= 4; i++) {
                    expect(i);
                    Asyncio.sleep(Duration.ZERO);
                }
            });
            Asyncio.sleep(1);
            finish(5);
            return null;
        });
    }
}
