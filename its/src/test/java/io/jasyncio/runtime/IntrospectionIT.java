package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Barrier;
import io.jasyncio.sync.Condition;
import io.jasyncio.sync.Event;
import io.jasyncio.sync.Lock;
import io.jasyncio.sync.Queue;
import io.jasyncio.sync.Semaphore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * Issue 5, introspection: {@code Asyncio.allTasks()}, {@code Task.stack()} (where a parked task
 * is parked), {@code Task.waitingFor()} (what it waits for), {@code Asyncio.dumpTasks()} (every
 * task as a tree of who awaits whom) and the deadlock report of {@code run}, which is that dump.
 *
 * <p>Expected lines are taken from this source as it runs: {@link #at} records the line it is
 * called from, and each call of it shares its line with the suspending call whose place is
 * asserted ({@code at("inner"); Asyncio.sleep(HOUR);}).
 */
class IntrospectionIT extends AsyncTestBase {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final String CLASS = IntrospectionIT.class.getName();
    private static final String FILE = "IntrospectionIT.java";

    /** The line each mark was made on. */
    private final Map<String, Integer> lines = new HashMap<>();

    /** Records the line of the caller under {@code mark}. */
    private void at(String mark) {
        lines.put(mark, new Throwable().getStackTrace()[1].getLineNumber());
    }

    /** {@code <class>.<method>(IntrospectionIT.java:<line of mark>)}, as a stack element prints. */
    private String place(String method, String mark) {
        return CLASS + "." + method + "(" + FILE + ":" + lines.get(mark) + ")";
    }

    // ------------------------------------------------------------------ allTasks

    @Test
    void allTasks_tasksNotEnded_oldestFirst() {
        runInVirtualTime(() -> {
            Task<?> main = Asyncio.currentTask();
            Event never = new Event();
            Task<Void> sleeper = Asyncio.createTask(() -> Asyncio.sleep(HOUR));
            Task<Void> waiter = Asyncio.createTask(() -> never.await());
            Task<String> quick = Asyncio.createTask(() -> "done at once");
            assertEquals(List.of(main, sleeper, waiter, quick), new ArrayList<>(Asyncio.allTasks()),
                    "tasks not started yet are there too");
            Asyncio.sleep(Duration.ZERO);
            assertTrue(quick.isDone());
            assertEquals(List.of(main, sleeper, waiter), new ArrayList<>(Asyncio.allTasks()), "the ended task is left out");
            sleeper.cancel();
            never.set();
            waiter.await();
            assertEquals(List.of(main), new ArrayList<>(Asyncio.allTasks()));
            finish(1);
            return null;
        });
    }

    @Test
    void allTasksAndDumpTasks_outsideALoop_throw() {
        IllegalStateException all = assertThrows(IllegalStateException.class, Asyncio::allTasks);
        assertTrue(all.getMessage().startsWith("Asyncio.allTasks needs a running event loop"), all.getMessage());
        IllegalStateException dump = assertThrows(IllegalStateException.class, Asyncio::dumpTasks);
        assertTrue(dump.getMessage().startsWith("Asyncio.dumpTasks needs a running event loop"), dump.getMessage());
        finish(1);
    }

    // ------------------------------------------------------------------ stack

    @Async
    void inner() {
        at("inner"); Asyncio.sleep(HOUR);
    }

    @Async
    void middle() {
        at("middle"); inner();
    }

    @Async
    void outer() {
        at("outer"); middle();
    }

    @Test
    void stack_parkedInTheBody_isTheBodyWithTheLineOfTheSuspendingCall() {
        runInVirtualTime(() -> {
            Task<Void> shallow = Asyncio.createTask(() -> { at("body"); Asyncio.sleep(HOUR); });
            Asyncio.sleep(Duration.ZERO);
            List<StackTraceElement> stack = shallow.stack();
            assertEquals(1, stack.size(), stack.toString());
            StackTraceElement body = stack.get(0);
            assertEquals(CLASS, body.getClassName());
            assertTrue(body.getMethodName().startsWith("lambda$"), body.getMethodName());
            assertEquals(FILE, body.getFileName());
            assertEquals(lines.get("body"), body.getLineNumber());
            shallow.cancel();
            finish(1);
            return null;
        });
    }

    @Test
    void stack_parkedThreeMethodsDeep_innermostFirstWithTheLineOfEachCall() {
        runInVirtualTime(() -> {
            Task<Void> deep = Asyncio.createTask(() -> { at("body"); outer(); });
            Asyncio.sleep(Duration.ZERO);
            List<StackTraceElement> stack = deep.stack();
            assertEquals(4, stack.size(), stack.toString());
            assertEquals(place("inner", "inner"), stack.get(0).toString());
            assertEquals(place("middle", "middle"), stack.get(1).toString());
            assertEquals(place("outer", "outer"), stack.get(2).toString());
            assertTrue(stack.get(3).getMethodName().startsWith("lambda$"), stack.toString());
            assertEquals(lines.get("body"), stack.get(3).getLineNumber());
            assertThrows(UnsupportedOperationException.class, () -> stack.add(stack.get(0)));
            deep.cancel();
            finish(1);
            return null;
        });
    }

    @Test
    void stack_ofATaskNotParked_isEmpty() {
        runInVirtualTime(() -> {
            Task<Void> notStarted = Asyncio.createTask(() -> Asyncio.sleep(HOUR));
            assertEquals(List.of(), notStarted.stack(), "not started");
            assertEquals(List.of(), Asyncio.currentTask().stack(), "running");
            Task<String> ended = Asyncio.createTask(() -> "x");
            Asyncio.sleep(Duration.ZERO);
            assertTrue(ended.isDone());
            assertEquals(List.of(), ended.stack(), "ended");
            assertEquals("", ended.waitingFor());
            assertEquals("", Asyncio.currentTask().waitingFor());
            assertFalse(notStarted.stack().isEmpty(), "parked now");
            notStarted.cancel();
            finish(1);
            return null;
        });
    }

    // ------------------------------------------------------------------ waitingFor

    @Test
    void waitingFor_eachKindOfWait_saysWhatTheTaskWaitsFor() {
        runInVirtualTime(() -> {
            Lock lock = new Lock();
            lock.acquire(); // held by main, Task-1
            Event event = new Event();
            Semaphore semaphore = new Semaphore(0);
            Queue<String> empty = new Queue<>();
            Queue<String> full = new Queue<>(1);
            full.offer("x");
            Condition condition = new Condition();
            Barrier barrier = new Barrier(3);
            Task<?> sleeper = Asyncio.createTask("sleeper", () -> {
                Asyncio.sleep(1500);
                return null;
            });
            Task<?> awaiter = Asyncio.createTask(() -> sleeper.await());
            Task<?> locker = Asyncio.createTask(() -> lock.acquire());
            Task<?> eventWaiter = Asyncio.createTask(() -> event.await());
            Task<?> permitWaiter = Asyncio.createTask(() -> semaphore.acquire());
            Task<?> getter = Asyncio.createTask(() -> empty.get());
            Task<?> putter = Asyncio.createTask(() -> full.put("y"));
            Task<?> signalWaiter = Asyncio.createTask(() -> {
                condition.acquire();
                condition.await();
            });
            Task<?> arriver = Asyncio.createTask(() -> barrier.await());
            Task<?> gatherer = Asyncio.createTask(() -> Asyncio.gather(sleeper));
            Task<?> timeBound = Asyncio.createTask("timeBound", () -> Asyncio.waitFor(Duration.ofSeconds(2), () -> {
                Asyncio.sleep(HOUR);
                return null;
            }));
            Asyncio.sleep(Duration.ZERO); // every task runs until it parks
            // the body of waitFor is the newest task (gather makes none)
            List<Task<?>> all = new ArrayList<>(Asyncio.allTasks());
            String body = all.get(all.size() - 1).name();
            assertEquals("sleep, 1.5 s left", sleeper.waitingFor());
            assertEquals("task sleeper", awaiter.waitingFor());
            assertEquals("Lock held by Task-1", locker.waitingFor());
            assertEquals("Event to be set", eventWaiter.waitingFor());
            assertEquals("Semaphore permit", permitWaiter.waitingFor());
            assertEquals("item from Queue", getter.waitingFor());
            assertEquals("room in Queue (maxSize 1)", putter.waitingFor());
            assertEquals("Condition signal", signalWaiter.waitingFor());
            assertEquals("Barrier, 1 of 3 arrived", arriver.waitingFor());
            assertEquals("gather of 1 task, 1 not ended", gatherer.waitingFor());
            assertEquals("waitFor of " + body + ", 2 s left", timeBound.waitingFor());
            Asyncio.sleep(500);
            assertEquals("sleep, 1 s left", sleeper.waitingFor(), "counts down in loop time");
            assertEquals("Task[sleeper, parked, waiting for sleep, 1 s left]", sleeper.toString());
            assertEquals("Task[Task-1, running]", Asyncio.currentTask().toString());
            finish(1);
            return null; // run cancels the others
        });
    }

    @Test
    void waitingFor_receiveOnAChannel_namesTheChannel() throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            run(() -> {
                Task<?> reader = Asyncio.createTask(() -> Asyncio.receive(channel, ByteBuffer.allocate(16)));
                Asyncio.sleep(Duration.ZERO);
                assertEquals("read on DatagramChannel " + channel.getLocalAddress(), reader.waitingFor());
                reader.cancel();
                finish(1);
            });
        }
    }

    @Test
    void waitingFor_acceptOnAServerChannel_saysAccept() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            run(() -> {
                Task<?> acceptor = Asyncio.createTask(() -> Asyncio.accept(server));
                Asyncio.sleep(Duration.ZERO);
                assertEquals("accept on ServerSocketChannel " + server.getLocalAddress(), acceptor.waitingFor());
                acceptor.cancel();
                finish(1);
            });
        }
    }

    @Test
    void stackAndWaitingFor_onAnotherThread_throw() throws Exception {
        runInVirtualTime(() -> {
            Task<Void> sleeper = Asyncio.createTask(() -> Asyncio.sleep(HOUR));
            Asyncio.sleep(Duration.ZERO);
            Throwable[] thrown = new Throwable[2];
            Thread other = new Thread(() -> {
                thrown[0] = assertThrows(IllegalStateException.class, sleeper::stack);
                thrown[1] = assertThrows(IllegalStateException.class, sleeper::waitingFor);
                assertEquals("Task[" + sleeper.name() + ", parked]", sleeper.toString(), "no wait read off the loop's thread");
            });
            other.start();
            other.join();
            assertTrue(thrown[0].getMessage().startsWith("Task.stack must be called on the event loop's thread"),
                    String.valueOf(thrown[0]));
            assertTrue(thrown[1].getMessage().startsWith("Task.waitingFor must be called on the event loop's thread"),
                    String.valueOf(thrown[1]));
            sleeper.cancel();
            finish(1);
            return null;
        });
    }

    // ------------------------------------------------------------------ dumpTasks

    private Task<?> child;
    private Task<?> first;
    private Task<?> second;

    @Async
    void nap() {
        at("nap"); Asyncio.sleep(1500);
    }

    @Async
    Object childBody() {
        at("child"); nap();
        return null;
    }

    @Async
    Object parentBody() {
        at("parent"); return child.await();
    }

    @Async
    Object otherParentBody() {
        at("otherParent"); return child.await();
    }

    @Async
    Object lateBody() {
        at("late"); Asyncio.sleep(HOUR);
        return null;
    }

    @Test
    void dumpTasks_smallTree_drawsWhoAwaitsWhomWithStatesWaitsAndStacks() {
        runInVirtualTime(() -> {
            child = Asyncio.createTask("child", this::childBody);
            Task<?> parent = Asyncio.createTask("parent", this::parentBody);
            Task<?> otherParent = Asyncio.createTask("otherParent", this::otherParentBody);
            Task<?> late = Asyncio.createTask("late", this::lateBody);
            Asyncio.sleep(Duration.ZERO);
            Asyncio.createTask("newest", this::lateBody);
            late.cancel(); // woken with the cancellation, it has not run yet: ready, still where it parked
            String expected = "Task-1 (running)\n"
                    + "parent (parked) waiting for task child\n"
                    + "|   at " + place("parentBody", "parent") + "\n"
                    + "\\-- child (parked) waiting for sleep, 1.5 s left\n"
                    + "        at " + place("nap", "nap") + "\n"
                    + "        at " + place("childBody", "child") + "\n"
                    + "otherParent (parked) waiting for task child\n"
                    + "|   at " + place("otherParentBody", "otherParent") + "\n"
                    + "\\-- child (see above)\n"
                    + "late (ready)\n"
                    + "    at " + place("lateBody", "late") + "\n"
                    + "newest (pending, not started)\n";
            assertEquals(expected, Asyncio.dumpTasks());
            parent.cancel();
            otherParent.cancel();
            child.cancel();
            finish(1);
            return null;
        });
    }

    @Async
    Object firstBody() {
        Asyncio.sleep(Duration.ZERO);
        at("first"); return second.await();
    }

    @Async
    Object secondBody() {
        at("second"); return first.await();
    }

    @Test
    void dumpTasks_tasksAwaitingEachOther_marksAndListsTheCycle() {
        runInVirtualTime(() -> {
            first = Asyncio.createTask("first", this::firstBody);
            second = Asyncio.createTask("second", this::secondBody);
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            String expected = "Task-1 (running)\n"
                    + "first (parked) waiting for task second\n"
                    + "|   at " + place("firstBody", "first") + "\n"
                    + "\\-- second (parked) waiting for task first\n"
                    + "    |   at " + place("secondBody", "second") + "\n"
                    + "    \\-- first (await cycle, see above)\n"
                    + "await cycle: first -> second -> first\n";
            assertEquals(expected, Asyncio.dumpTasks());
            first.cancel(); // breaks the cycle: second then fails awaiting it
            try {
                second.await();
                expectUnreached();
            } catch (CancellationException awaitedWasCancelled) {
                finish(1);
            }
            return null;
        });
    }

    private Task<?> below;

    @Async
    Object gatherBelowAndSecond() {
        at("gatherer"); return Asyncio.gather(below, second);
    }

    @Test
    void dumpTasks_cycleThroughGatherAboveAnOlderTask_isDrawnFromTheCycle() {
        runInVirtualTime(() -> {
            below = Asyncio.createTask("below", this::lateBody);
            first = Asyncio.createTask("first", this::gatherBelowAndSecond);
            second = Asyncio.createTask("second", this::secondBody);
            Asyncio.sleep(Duration.ZERO); // they park
            // the children of the gathering task are the tasks it gathers, directly
            String expected = "Task-1 (running)\n"
                    + "first (parked) waiting for gather of 2 tasks, 2 not ended\n"
                    + "|   at " + place("gatherBelowAndSecond", "gatherer") + "\n"
                    + "+-- below (parked) waiting for sleep, 3600 s left\n"
                    + "|       at " + place("lateBody", "late") + "\n"
                    + "\\-- second (parked) waiting for task first\n"
                    + "    |   at " + place("secondBody", "second") + "\n"
                    + "    \\-- first (await cycle, see above)\n"
                    + "await cycle: first -> second -> first\n";
            assertEquals(expected, Asyncio.dumpTasks());
            below.cancel(); // gather then cancels second, and first ends with the cancellation
            try {
                first.await();
                expectUnreached();
            } catch (CancellationException gatherCancelled) {
                finish(1);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ locks in the dump

    private final Lock lockA = new Lock();
    private final Lock lockB = new Lock();

    @Async
    Object takeAThenB() {
        lockA.acquire();
        try {
            Asyncio.sleep(Duration.ZERO);
            at("takeB"); lockB.acquire();
            lockB.release();
        } finally {
            lockA.release();
        }
        return null;
    }

    @Async
    Object takeBThenA() {
        lockB.acquire();
        try {
            Asyncio.sleep(Duration.ZERO);
            at("takeA"); lockA.acquire();
            lockA.release();
        } finally {
            lockB.release();
        }
        return null;
    }

    @Test
    void dumpTasks_twoTasksTakingTwoLocksInOppositeOrder_marksAndListsTheLockCycle() {
        runInVirtualTime(() -> {
            Task<?> holderOfA = Asyncio.createTask("holderOfA", this::takeAThenB);
            Task<?> holderOfB = Asyncio.createTask("holderOfB", this::takeBThenA);
            Asyncio.sleep(Duration.ZERO); // each takes its first lock
            Asyncio.sleep(Duration.ZERO); // each parks on the lock the other holds
            // neither is a root: the cycle is drawn from the oldest of them
            String expected = "Task-1 (running)\n"
                    + "holderOfA (parked) waiting for Lock held by holderOfB\n"
                    + "|   at " + place("takeAThenB", "takeB") + "\n"
                    + "\\-- holderOfB (parked) waiting for Lock held by holderOfA\n"
                    + "    |   at " + place("takeBThenA", "takeA") + "\n"
                    + "    \\-- holderOfA (lock cycle, see above)\n"
                    + "lock cycle: holderOfA -(Lock held by holderOfB)-> holderOfB -(Lock held by holderOfA)-> holderOfA\n";
            assertEquals(expected, Asyncio.dumpTasks());
            holderOfA.cancel(); // breaks the cycle: its finally releases lockA, which holderOfB then takes
            holderOfB.await();
            assertTrue(holderOfA.isCancelled());
            finish(1);
            return null;
        });
    }

    @Async
    Object holdAAndSleep() {
        lockA.acquire();
        try {
            at("holdA"); Asyncio.sleep(HOUR);
        } finally {
            lockA.release();
        }
        return null;
    }

    @Async
    Object waitForA() {
        at("waitForA"); lockA.acquire();
        lockA.release();
        return null;
    }

    @Test
    void dumpTasks_lockWaiterWhoseHolderSleeps_drawsTheHolderUnderTheWaiterAndNoCycle() {
        runInVirtualTime(() -> {
            Task<?> holder = Asyncio.createTask("holder", this::holdAAndSleep);
            Task<?> waiter = Asyncio.createTask("waiter", this::waitForA);
            Asyncio.sleep(Duration.ZERO);
            String expected = "Task-1 (running)\n"
                    + "waiter (parked) waiting for Lock held by holder\n"
                    + "|   at " + place("waitForA", "waitForA") + "\n"
                    + "\\-- holder (parked) waiting for sleep, 3600 s left\n"
                    + "        at " + place("holdAAndSleep", "holdA") + "\n";
            assertEquals(expected, Asyncio.dumpTasks());
            holder.cancel(); // its finally hands the lock to the waiter
            waiter.await();
            assertFalse(lockA.isLocked());
            finish(1);
            return null;
        });
    }

    @Async
    Object holdAAndGatherWaiter() {
        lockA.acquire();
        try {
            at("gatherWaiter"); return Asyncio.gather(below, second);
        } finally {
            lockA.release();
        }
    }

    @Test
    void dumpTasks_gatheredTaskWaitingForTheGatherersLock_isAMixedLockCycle() {
        runInVirtualTime(() -> {
            below = Asyncio.createTask("below", this::lateBody);
            first = Asyncio.createTask("first", this::holdAAndGatherWaiter);
            second = Asyncio.createTask("second", this::waitForA);
            Asyncio.sleep(Duration.ZERO);
            String expected = "Task-1 (running)\n"
                    + "first (parked) waiting for gather of 2 tasks, 2 not ended\n"
                    + "|   at " + place("holdAAndGatherWaiter", "gatherWaiter") + "\n"
                    + "+-- below (parked) waiting for sleep, 3600 s left\n"
                    + "|       at " + place("lateBody", "late") + "\n"
                    + "\\-- second (parked) waiting for Lock held by first\n"
                    + "    |   at " + place("waitForA", "waitForA") + "\n"
                    + "    \\-- first (lock cycle, see above)\n"
                    + "lock cycle: first -> second -(Lock held by first)-> first\n";
            assertEquals(expected, Asyncio.dumpTasks());
            below.cancel(); // gather then cancels second, and first ends with the cancellation
            try {
                first.await();
                expectUnreached();
            } catch (CancellationException gatherCancelled) {
                assertFalse(lockA.isLocked());
                finish(1);
            }
            return null;
        });
    }

    @Test
    void dumpTasks_longChainOfAwaits_stopsAfter2000LinesAndSaysHowManyTasksItLeftOut() {
        int length = 5_000;
        runInVirtualTime(() -> {
            List<Task<?>> chain = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                int next = i + 1;
                chain.add(next == length
                        ? Asyncio.createTask(() -> Asyncio.sleep(HOUR))
                        : Asyncio.createTask(() -> chain.get(next).await()));
            }
            Asyncio.sleep(Duration.ZERO);
            String[] dumped = Asyncio.dumpTasks().split("\n");
            // Task-1, then each task of the chain on two lines (itself and its body): the 1000th has room for one
            assertEquals(2_001, dumped.length);
            assertEquals("... (the dump stops at 2000 lines; 4000 tasks are not shown)", dumped[2_000]);
            int longest = 0;
            for (String line : dumped) {
                longest = Math.max(longest, line.length());
            }
            assertTrue(longest < 32 * 4 + 200, "indentation stops growing: a line of " + longest + " characters");
            chain.get(length - 1).cancel();
            finish(1);
            return null;
        });
    }

    // ------------------------------------------------------------------ the deadlock report

    private final Lock held = new Lock();
    private final List<String> cleaned = new ArrayList<>();

    @Async
    void takeHeldLock() {
        at("takeLock"); held.acquire();
    }

    @Async
    Object workerBody() {
        try {
            at("worker"); takeHeldLock();
        } finally {
            cleaned.add("worker");
        }
        return null;
    }

    @Async
    Object deadlockMain() {
        held.acquire();
        Task<?> worker = Asyncio.createTask("worker", this::workerBody);
        try {
            at("main"); worker.await();
        } finally {
            cleaned.add("main");
        }
        return null;
    }

    @Test
    void run_deadlock_messageIsADumpTakenBeforeTheTasksWereCancelled() {
        IllegalStateException thrown = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(IllegalStateException.class, () -> runInVirtualTime(this::deadlockMain)));
        String expected = "deadlock: no task is ready and none can ever wake up (no timer, no channel); 2 tasks are parked:\n"
                + "Task-1 (parked) waiting for task worker\n"
                + "|   at " + place("deadlockMain", "main") + "\n"
                + "\\-- worker (parked) waiting for Lock held by Task-1\n"
                + "    |   at " + place("takeHeldLock", "takeLock") + "\n"
                + "    |   at " + place("workerBody", "worker") + "\n"
                + "    \\-- Task-1 (lock cycle, see above)\n" // main holds the lock the worker it awaits wants
                + "lock cycle: Task-1 -> worker -(Lock held by Task-1)-> Task-1\n";
        assertEquals(expected, thrown.getMessage());
        assertEquals(List.of("main", "worker"), cleaned, "then every task was cancelled, oldest first");
        finish(1);
    }
}
