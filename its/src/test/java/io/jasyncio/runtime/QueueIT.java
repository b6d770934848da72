package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Queue;
import io.jasyncio.sync.QueueShutDownException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** {@link Queue} with woven code: FIFO, bounded put, cancellation that loses nothing, shutdown. */
class QueueIT extends AsyncTestBase {

    @Async
    String getOrGiveUp(Queue<String> queue) {
        try {
            return queue.get();
        } catch (CancellationException cancelled) {
            return "gave up";
        } catch (QueueShutDownException shutDown) {
            return "shut down";
        }
    }

    @Async
    String putOrGiveUp(Queue<String> queue, String item) {
        try {
            queue.put(item);
            return "put " + item;
        } catch (CancellationException cancelled) {
            return "gave up";
        } catch (QueueShutDownException shutDown) {
            return "shut down";
        }
    }

    @Test
    void getAndPut_itemsComeOutInOrderAndGettersAreServedInOrder() {
        Queue<String> queue = new Queue<>(0);
        run(() -> {
            Task<String> first = Asyncio.createTask(() -> queue.get());
            Task<String> second = Asyncio.createTask(() -> queue.get());
            Asyncio.sleep(Duration.ZERO);
            queue.put("a");
            queue.put("b");
            queue.put("c");
            assertEquals(1, queue.size(), "a and b went straight to the waiting getters");
            assertEquals(List.of("a", "b"), Asyncio.gather(first, second));
            assertEquals("c", queue.get());
            assertNull(queue.poll());
            finish(1);
        });
    }

    @Test
    void put_boundedQueueFull_parksUntilAGetMakesRoom() {
        Queue<Integer> queue = new Queue<>(2);
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            Task<Void> producer = Asyncio.createTask(() -> {
                for (int i = 1; i <= 4; i++) {
                    queue.put(i);
                    log.add("put " + i + " at " + clock.elapsedMillis());
                }
            });
            Asyncio.sleep(100);
            assertTrue(queue.isFull());
            assertEquals(2, queue.size());
            for (int i = 1; i <= 4; i++) {
                log.add("got " + queue.get() + " at " + clock.elapsedMillis());
                Asyncio.sleep(100);
            }
            producer.await();
            return null;
        });
        assertEquals(List.of("put 1 at 0", "put 2 at 0", "got 1 at 100", "put 3 at 100",
                "got 2 at 200", "put 4 at 200", "got 3 at 300", "got 4 at 400"), log);
        finish(1);
    }

    @Test
    void offerAndPoll_neverPark() {
        Queue<String> queue = new Queue<>(1);
        run(() -> {
            assertNull(queue.poll());
            assertTrue(queue.offer("a"));
            assertFalse(queue.offer("b"), "full");
            assertEquals("a", queue.poll());
            assertThrows(NullPointerException.class, () -> queue.offer(null));
            finish(1);
        });
    }

    @Test
    void offer_whileASlotIsReservedForAWokenPutter_failsInsteadOfBarging() {
        Queue<String> queue = new Queue<>(1);
        run(() -> {
            queue.put("a");
            Task<String> putter = Asyncio.createTask(() -> putOrGiveUp(queue, "b"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals("a", queue.get()); // the freed slot is reserved for the putter
            assertFalse(queue.offer("c"));
            assertEquals("put b", putter.await());
            assertEquals("b", queue.get());
            finish(1);
        });
    }

    @Test
    void cancel_queuedGetter_leavesAndTakesNoItem() {
        Queue<String> queue = new Queue<>(0);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> getOrGiveUp(queue));
            Task<String> patient = Asyncio.createTask(() -> getOrGiveUp(queue));
            Asyncio.sleep(Duration.ZERO);
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            queue.put("a");
            assertEquals("a", patient.await());
            finish(1);
        });
    }

    @Test
    void cancel_getterHandedAnItemBeforeItRan_passesTheItemToTheNextGetter() {
        Queue<String> queue = new Queue<>(0);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> getOrGiveUp(queue));
            Task<String> patient = Asyncio.createTask(() -> getOrGiveUp(queue));
            Asyncio.sleep(Duration.ZERO);
            queue.put("a"); // handed to the quitter, which has not run
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals("a", patient.await());
            assertTrue(queue.isEmpty());
            finish(1);
        });
    }

    @Test
    void cancel_onlyGetterHandedAnItemBeforeItRan_putsItBackAtTheHead() {
        Queue<String> queue = new Queue<>(0);
        run(() -> {
            Task<String> quitter = Asyncio.createTask(() -> getOrGiveUp(queue));
            Asyncio.sleep(Duration.ZERO);
            queue.put("a"); // handed to the quitter
            queue.put("b"); // queued
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals(2, queue.size());
            assertEquals("a", queue.get(), "the older item is first again");
            assertEquals("b", queue.get());
            finish(1);
        });
    }

    @Test
    void cancel_queuedPutter_leavesAndItsItemIsNotAdded() {
        Queue<String> queue = new Queue<>(1);
        run(() -> {
            queue.put("a");
            Task<String> quitter = Asyncio.createTask(() -> putOrGiveUp(queue, "lost?"));
            Task<String> patient = Asyncio.createTask(() -> putOrGiveUp(queue, "b"));
            Asyncio.sleep(Duration.ZERO);
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals("a", queue.get());
            assertEquals("put b", patient.await());
            assertEquals("b", queue.get());
            assertTrue(queue.isEmpty());
            finish(1);
        });
    }

    @Test
    void cancel_putterReservedASlotBeforeItRan_passesTheSlotToTheNextPutter() {
        Queue<String> queue = new Queue<>(1);
        run(() -> {
            queue.put("a");
            Task<String> quitter = Asyncio.createTask(() -> putOrGiveUp(queue, "lost?"));
            Task<String> patient = Asyncio.createTask(() -> putOrGiveUp(queue, "b"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals("a", queue.get()); // the slot is reserved for the quitter
            assertTrue(quitter.cancel());
            assertEquals("gave up", quitter.await());
            assertEquals("put b", patient.await());
            assertEquals("b", queue.get());
            assertTrue(queue.isEmpty(), "the cancelled put added nothing");
            finish(1);
        });
    }

    @Test
    void shutdown_putFailsAndGetDrainsThenFails() {
        Queue<String> queue = new Queue<>(0);
        run(() -> {
            queue.put("a");
            queue.put("b");
            queue.shutdown();
            assertTrue(queue.isShutDown());
            QueueShutDownException refused = assertThrows(QueueShutDownException.class, () -> queue.offer("c"));
            assertEquals("Queue.offer: the queue is shut down and takes no more items", refused.getMessage());
            assertEquals("shut down", putOrGiveUp(queue, "c"));
            assertEquals("a", queue.get());
            assertEquals("b", queue.get());
            try {
                queue.get();
                expectUnreached();
            } catch (QueueShutDownException empty) {
                assertEquals("Queue.get: the queue is shut down and empty", empty.getMessage());
            }
            assertThrows(QueueShutDownException.class, queue::poll);
            finish(1);
        });
    }

    @Test
    void shutdown_wakesParkedGettersAndPuttersWithTheException() {
        Queue<String> empty = new Queue<>(0);
        Queue<String> full = new Queue<>(1);
        run(() -> {
            full.put("x");
            Task<String> getter = Asyncio.createTask(() -> getOrGiveUp(empty));
            Task<String> putter = Asyncio.createTask(() -> putOrGiveUp(full, "y"));
            Asyncio.sleep(Duration.ZERO);
            empty.shutdown();
            full.shutdown();
            assertEquals("shut down", getter.await());
            assertEquals("shut down", putter.await());
            assertEquals("x", full.get(), "items already in the queue can still be taken");
            finish(1);
        });
    }

    @Test
    void shutdownImmediate_dropsTheItemsAndFailsGetters() {
        Queue<String> queue = new Queue<>(0);
        run(() -> {
            queue.put("a");
            queue.put("b");
            queue.shutdown(true);
            assertEquals(0, queue.size());
            QueueShutDownException thrown = assertThrows(QueueShutDownException.class, queue::poll);
            assertEquals("Queue.poll: the queue is shut down and its items were dropped (shutdown(immediate = true))",
                    thrown.getMessage());
            assertEquals("shut down", getOrGiveUp(queue));
            finish(1);
        });
    }

    @Test
    void shutdown_putterWithAReservedSlotThatHasNotRun_failsAndAddsNothing() {
        Queue<String> queue = new Queue<>(1);
        run(() -> {
            queue.put("a");
            Task<String> putter = Asyncio.createTask(() -> putOrGiveUp(queue, "b"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals("a", queue.get()); // slot reserved for the putter
            queue.shutdown();
            assertEquals("shut down", putter.await());
            assertTrue(queue.isEmpty());
            finish(1);
        });
    }

    @Test
    void manyProducersAndConsumers_everyItemArrivesExactlyOnce() {
        Queue<Integer> queue = new Queue<>(3);
        List<Integer> received = new ArrayList<>();
        runInVirtualTime(() -> {
            List<Task<Void>> producers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int base = p * 100;
                producers.add(Asyncio.createTask(() -> {
                    for (int i = 0; i < 25; i++) {
                        queue.put(base + i);
                        Asyncio.sleep(i % 3);
                    }
                }));
            }
            List<Task<Void>> consumers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int pause = c;
                consumers.add(Asyncio.createTask(() -> {
                    try {
                        for (;;) {
                            received.add(queue.get());
                            Asyncio.sleep(pause);
                        }
                    } catch (QueueShutDownException done) {
                        // drained
                    }
                }));
            }
            // cancel some waiters on the way: nothing may be lost or duplicated
            Asyncio.sleep(5);
            consumers.get(2).cancel();
            Asyncio.gather(producers);
            queue.shutdown();
            for (Task<Void> consumer : consumers.subList(0, 2)) {
                consumer.await();
            }
            try {
                consumers.get(2).await();
            } catch (CancellationException expected) {
                // cancelled above
            }
            return null;
        });
        List<Integer> expected = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 25; i++) {
                expected.add(p * 100 + i);
            }
        }
        received.sort(null);
        assertEquals(expected, received);
        finish(1);
    }

    @Test
    void put_severalPuttersBlocked_areServedInArrivalOrder() {
        Queue<String> queue = new Queue<>(1);
        run(() -> {
            queue.put("first");
            List<Task<String>> putters = new ArrayList<>();
            for (String item : List.of("a", "b", "c")) {
                putters.add(Asyncio.createTask(() -> putOrGiveUp(queue, item)));
            }
            Asyncio.sleep(Duration.ZERO);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                got.add(queue.get());
            }
            assertEquals(List.of("first", "a", "b", "c"), got);
            assertEquals(List.of("put a", "put b", "put c"), Asyncio.gather(putters));
            finish(1);
        });
    }

    @Test
    void join_parksUntilEveryItemAddedIsMarkedDone() {
        Queue<String> queue = new Queue<>(0);
        List<String> log = new ArrayList<>();
        runInVirtualTime(() -> {
            queue.join(); // nothing unfinished: returns at once
            for (String item : List.of("a", "b", "c")) {
                queue.put(item);
            }
            assertEquals(3, queue.unfinished());
            Asyncio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    String item = queue.get();
                    Asyncio.sleep(10);
                    log.add("processed " + item + " at " + clock.elapsedMillis());
                    queue.taskDone();
                }
            });
            queue.join();
            log.add("joined at " + clock.elapsedMillis());
            assertEquals(0, queue.unfinished());
            queue.join();
            return null;
        });
        assertEquals(List.of("processed a at 10", "processed b at 20", "processed c at 30", "joined at 30"), log);
        finish(1);
    }

    @Test
    void taskDone_calledMoreTimesThanThereWereItems_throws() {
        Queue<String> queue = new Queue<>(0);
        assertTrue(queue.offer("x"));
        assertEquals("x", queue.poll());
        queue.taskDone();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, queue::taskDone);
        assertEquals("Queue.taskDone: called more times than there were items", thrown.getMessage());
        assertEquals(0, queue.unfinished());
        finish(1);
    }

    @Test
    void join_cancelledJoiner_leavesAndOthersStillWake() {
        Queue<String> queue = new Queue<>(0);
        runInVirtualTime(() -> {
            queue.put("item");
            Task<Void> quitter = Asyncio.createTask(() -> queue.join());
            Task<Void> stayer = Asyncio.createTask(() -> queue.join());
            Asyncio.sleep(10);
            assertTrue(quitter.cancel());
            try {
                quitter.await();
                expectUnreached();
            } catch (CancellationException expected) {
                assertTrue(quitter.isCancelled());
            }
            queue.get();
            queue.taskDone();
            stayer.await();
            assertTrue(stayer.isDone());
            return null;
        });
        finish(1);
    }

    @Test
    void shutdownImmediately_droppedItemsCountAsDone_joinReturns() {
        Queue<String> queue = new Queue<>(0);
        runInVirtualTime(() -> {
            queue.put("a");
            queue.put("b");
            Task<Void> joiner = Asyncio.createTask(() -> queue.join());
            Asyncio.sleep(10);
            assertFalse(joiner.isDone());
            queue.shutdown(true);
            joiner.await();
            assertEquals(0, queue.unfinished());
            return null;
        });
        finish(1);
    }
}
