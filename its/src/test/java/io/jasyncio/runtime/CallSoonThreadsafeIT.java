package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Loop;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** {@code Loop.callSoonThreadsafe} from other threads: each callback once, on the loop thread, in order, promptly. */
class CallSoonThreadsafeIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void runningLoop_sameObjectEveryTime_andNoneOutsideALoop() {
        run(() -> {
            assertSame(Asyncio.runningLoop(), Asyncio.runningLoop());
            assertSame(Asyncio.runningLoop(), Asyncio.createTask(() -> Asyncio.runningLoop()).await());
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, Asyncio::runningLoop);
        assertEquals("Asyncio.runningLoop needs a running event loop on this thread: "
                + "call it from code started with Asyncio.run(...)", thrown.getMessage());
        finish(1);
    }

    @Test
    void eightThreadsThousandsOfCallsEach_everyCallbackRunsOnceOnTheLoopThreadInEachThreadsOrder() {
        int threads = 8;
        int callsPerThread = 5_000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            seen.add(new ArrayList<>());
        }
        int[] total = {0};
        boolean[] offThread = {false};
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Loop loop = Asyncio.runningLoop();
            Thread loopThread = Thread.currentThread();
            CompletableFuture<Void> allRan = new CompletableFuture<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                new Thread(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < callsPerThread; i++) {
                        int call = i;
                        loop.callSoonThreadsafe(() -> {
                            offThread[0] |= Thread.currentThread() != loopThread;
                            seen.get(thread).add(call);
                            if (++total[0] == threads * callsPerThread) {
                                allRan.complete(null);
                            }
                        });
                    }
                }, "poster-" + t).start();
            }
            start.countDown();
            Asyncio.await(allRan); // nothing else can wake main: awaiting keeps deadlock detection quiet
        }));
        assertTrue(!offThread[0], "every callback ran on the loop thread");
        for (List<Integer> calls : seen) {
            assertEquals(callsPerThread, calls.size());
            for (int i = 0; i < callsPerThread; i++) {
                assertEquals(i, calls.get(i), "the calls of one thread run in the order it made them");
            }
        }
        finish(1);
    }

    @Test
    void callback_wakesALoopParkedOnATimerAnHourAway_andMayCancelAndCreateTasks() {
        String result = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Loop loop = Asyncio.runningLoop();
            Task<Void> sleeper = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
            CompletableFuture<String> answer = new CompletableFuture<>();
            Asyncio.sleep(Duration.ZERO); // the sleeper parks: the loop's only wait is its timer
            Thread loopThread = Thread.currentThread();
            new Thread(() -> {
                awaitBlocked(() -> loopThread.getState() == Thread.State.TIMED_WAITING);
                loop.callSoonThreadsafe(() -> {
                    sleeper.cancel();
                    Asyncio.createTask(() -> answer.complete("made by a callback"));
                });
            }).start();
            try {
                sleeper.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            return Asyncio.await(answer);
        }));
        assertEquals("made by a callback", result);
        finish(2);
    }

    @Test
    void callback_wakesALoopBlockedInSelect() throws IOException {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertTimeoutPreemptively(BOUND, () -> run(() -> {
                Loop loop = Asyncio.runningLoop();
                Task<Object> reader = Asyncio.createTask(() -> Asyncio.receive(channel, ByteBuffer.allocate(16)));
                Asyncio.sleep(Duration.ZERO); // the reader parks: the loop blocks in select, with no timeout
                Thread loopThread = Thread.currentThread();
                new Thread(() -> {
                    awaitBlocked(() -> Arrays.stream(loopThread.getStackTrace()).anyMatch(
                            frame -> frame.getClassName().startsWith("sun.nio.ch.") && frame.getMethodName().equals("doSelect")));
                    loop.callSoonThreadsafe(reader::cancel);
                }).start();
                try {
                    reader.await();
                    expectUnreached();
                } catch (CancellationException expected) {
                    finish(1);
                }
            }));
        }
    }

    @Test
    void callback_fromTheLoopThreadItself_runsAfterTheCurrentStep() {
        List<String> order = new ArrayList<>();
        run(() -> {
            Asyncio.runningLoop().callSoonThreadsafe(() -> order.add("callback"));
            order.add("main before yielding");
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            order.add("main after yielding");
        });
        assertEquals(List.of("main before yielding", "callback", "main after yielding"), order);
        finish(1);
    }

    @Test
    void callSoonThreadsafe_afterTheLoopClosed_throws() {
        Loop loop = run(() -> Asyncio.runningLoop());
        assertTrue(loop.isClosed());
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(() -> { }));
        assertEquals("Loop.callSoonThreadsafe: the event loop has closed", thrown.getMessage());
        assertThrows(IllegalStateException.class, () -> loop.submit(() -> "never"));
        finish(1);
    }

    @Test
    void callbackAcceptedWhileTheLoopFinishes_stillRuns() {
        boolean[] ran = {false};
        run(() -> {
            Loop loop = Asyncio.runningLoop();
            // posted by main's last step: the loop is finishing when it would run
            loop.callSoonThreadsafe(() -> ran[0] = true);
        });
        assertTrue(ran[0]);
        finish(1);
    }

    @Test
    void exceptionHandler_onlyOnTheLoopThread() {
        Loop loop = run(() -> {
            Loop running = Asyncio.runningLoop();
            assertEquals(null, running.exceptionHandler(), "the default");
            Loop.ExceptionHandler handler = (reporting, context) -> { };
            running.setExceptionHandler(handler);
            assertSame(handler, running.exceptionHandler());
            running.setExceptionHandler(null);
            assertEquals(null, running.exceptionHandler());
            return running;
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.setExceptionHandler(null));
        assertEquals("Loop.setExceptionHandler must be called on the thread of the event loop it belongs to",
                thrown.getMessage());
        finish(1);
    }

    /**
     * Waits until {@code blocked} says the loop thread blocks (so that a post must wake it), or
     * gives up after a while and lets the test go on.
     */
    private static void awaitBlocked(BooleanSupplier blocked) {
        long giveUp = System.nanoTime() + BOUND.toNanos() / 2;
        while (!blocked.getAsBoolean() && System.nanoTime() < giveUp) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
