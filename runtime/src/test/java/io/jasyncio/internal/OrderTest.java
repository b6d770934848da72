package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which the loop runs tasks and wakes timers (API.md, "Order"). */
class OrderTest extends LoopTestBase {

    @Test
    void readyTasks_runFirstInFirstOut() {
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    Asyncio.createTask(HandWoven.body().then(() -> expect(3)));
                    Asyncio.createTask(HandWoven.body().then(() -> expect(4)));
                    Asyncio.createTask(HandWoven.body().then(() -> expect(5)));
                    expect(2);
                })
                .step(yieldOnce())
                .then(() -> finish(6)));
    }

    @Test
    void sleepZero_letsEveryOtherReadyTaskRunOnce() {
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(3)).step(yieldOnce())
                            .then(() -> expect(6)).step(yieldOnce())
                            .then(() -> expect(9)));
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(4)).step(yieldOnce())
                            .then(() -> expect(7)));
                    expect(2);
                })
                .step(yieldOnce())
                .then(() -> expect(5))
                .step(yieldOnce())
                .then(() -> expect(8))
                .step(yieldOnce())
                .then(() -> finish(10)));
    }

    @Test
    void createTask_newTaskRunsAfterReadyTasksAndAfterItsCreatorParks() {
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> {
                                expect(3);
                                Asyncio.createTask(HandWoven.body().then(() -> expect(7)));
                                expect(4); // the new task has not run: its creator has not parked
                            })
                            .step(yieldOnce())
                            .then(() -> expect(8)));
                    Asyncio.createTask(HandWoven.body().then(() -> expect(5)));
                    expect(2);
                })
                .step(yieldOnce())
                .then(() -> expect(6)) // main was ready before the new task was created
                .step(yieldOnce())
                .then(() -> finish(9)));
    }

    @Test
    void twoGenerators_interleaveLikeTheSeed() {
        List<String> printed = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> printed.add("A")).step(yieldOnce())
                            .then(() -> printed.add("B")).step(yieldOnce())
                            .then(() -> printed.add("C")));
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> printed.add("X")).step(yieldOnce())
                            .then(() -> printed.add("Y")).step(yieldOnce())
                            .then(() -> printed.add("Z")));
                })
                .step(sleep(1))
                .then(() -> finish(1)));
        assertEquals(List.of("A", "X", "B", "Y", "C", "Z"), printed);
    }

    @Test
    void timers_shorterFirst() {
        List<String> woken = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    Asyncio.createTask(HandWoven.body().step(sleep(30)).then(() -> woken.add("30 ms")));
                    Asyncio.createTask(HandWoven.body().step(sleep(10)).then(() -> woken.add("10 ms")));
                    Asyncio.createTask(HandWoven.body().step(sleep(20)).then(() -> woken.add("20 ms")));
                })
                .step(sleep(100))
                .then(() -> finish(1)));
        assertEquals(List.of("10 ms", "20 ms", "30 ms"), woken);
        assertEquals(100_000_000L, clock.elapsed(), "virtual time advanced to main's deadline only");
    }

    @Test
    void timers_equalDurationsInOneStep_wakeInCallOrder() {
        List<String> woken = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    for (String name : List.of("first", "second", "third", "fourth")) {
                        Asyncio.createTask(HandWoven.body().step(sleep(7)).then(() -> woken.add(name)));
                    }
                })
                .step(sleep(8))
                .then(() -> finish(1)));
        assertEquals(List.of("first", "second", "third", "fourth"), woken);
    }

    @Test
    void timers_equalDeadlinesFromDifferentSteps_wakeInCallOrderNotCreationOrder() {
        List<String> woken = new ArrayList<>();
        run(HandWoven.body()
                .then(() -> {
                    // Both fall due at 20 ms. "late caller" was created first, but makes its
                    // sleep(10) call at 10 ms, after "early caller" called sleep(20) at 0 ms.
                    Asyncio.createTask(HandWoven.body()
                            .step(sleep(10)).step(sleep(10)).then(() -> woken.add("late caller")));
                    Asyncio.createTask(HandWoven.body()
                            .step(sleep(20)).then(() -> woken.add("early caller")));
                })
                .step(sleep(50))
                .then(() -> finish(1)));
        assertEquals(List.of("early caller", "late caller"), woken);
    }

    @Test
    void sleep_positiveDelay_wakesOnlyAfterReadyTasksStopYielding() {
        run(HandWoven.body()
                .then(() -> {
                    expect(1);
                    Asyncio.createTask(HandWoven.body()
                            .then(() -> expect(2)).step(yieldOnce())
                            .then(() -> expect(3)).step(yieldOnce())
                            .then(() -> expect(4)));
                })
                .step(sleep(1))
                .then(() -> finish(5)));
        assertEquals(1_000_000L, clock.elapsed());
    }

    @Test
    void sleep_longerThanTimeCanCount_clampedAndWakesAfterEveryShorterTimer() {
        List<String> woken = new ArrayList<>();
        Task<?>[] forever = new Task<?>[1];
        run(HandWoven.body()
                .then(() -> {
                    forever[0] = Asyncio.createTask(HandWoven.body()
                            .step(previous -> {
                                Asyncio.sleep(Duration.ofSeconds(Long.MAX_VALUE));
                                return null;
                            })
                            .then(() -> woken.add("forever")));
                    Asyncio.createTask(HandWoven.body()
                            .step(previous -> {
                                Asyncio.sleep(Long.MAX_VALUE);
                                return null;
                            })
                            .then(() -> woken.add("max millis")));
                    Asyncio.createTask(HandWoven.body().step(sleep(365L * 24 * 3600 * 1000)).then(() -> woken.add("a year")));
                })
                .step(sleep(366L * 24 * 3600 * 1000))
                .then(() -> {
                    assertEquals(List.of("a year"), woken);
                    finish(1);
                }));
        assertTrue(forever[0].isCancelled(), "still asleep when main ended, so cancelled");
    }
}
