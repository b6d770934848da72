package io.jasyncio.benchmarks;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Event;
import io.jasyncio.testing.AsyncTestRunner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The workloads written with jasyncio's public API. The same class runs woven by the Maven plugin
 * (target/classes) and woven by the agent (javac's copy in target/unwoven-classes). Each method
 * checks that all the work was done and throws {@link IllegalStateException} if not.
 */
final class JasyncioWorkloads {
    private JasyncioWorkloads() {}

    /** Two tasks alternately {@code sleep(ZERO)} {@code perTask} times each; nanoseconds per switch. */
    static double switchNanos(int perTask) {
        long[] switches = {0};
        long elapsed = Asyncio.run(() -> {
            long start = System.nanoTime();
            Task<Void> a = Asyncio.createTask(() -> yieldTimes(perTask, switches));
            Task<Void> b = Asyncio.createTask(() -> yieldTimes(perTask, switches));
            a.await();
            b.await();
            return System.nanoTime() - start;
        });
        Checks.equal("switch: switches", 2L * perTask, switches[0]);
        return (double) elapsed / (2L * perTask);
    }

    @Async
    private static void yieldTimes(int times, long[] switches) {
        for (int i = 0; i < times; i++) {
            Asyncio.sleep(Duration.ZERO);
            switches[0]++;
        }
    }

    /** A task creates {@code count} tasks that park once and return, then awaits them; nanoseconds per task. */
    static double spawnNanos(int count) {
        int[] finished = {0};
        long elapsed = Asyncio.run(() -> {
            Task<?>[] tasks = new Task<?>[count];
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                tasks[i] = Asyncio.createTask(() -> parkOnce(finished));
            }
            for (Task<?> task : tasks) {
                task.await();
            }
            return System.nanoTime() - start;
        });
        Checks.equal("spawn: finished tasks", count, finished[0]);
        return (double) elapsed / count;
    }

    @Async
    private static void parkOnce(int[] finished) {
        Asyncio.sleep(Duration.ZERO);
        finished[0]++;
    }

    /**
     * {@code count} tasks each sleep {@code sleepMillis} at once. Returns {wall nanoseconds, heap
     * bytes per parked task}. Given {@code liveHeap}, measures the heap with it once all are
     * parked, then cancels them instead of waiting (the wall time then means nothing); without,
     * the second figure is -1.
     */
    /**
     * The sleepers' shared state, in static fields so that a sleeper's body captures nothing, as
     * the Kotlin sleepers' does not: the figure is the task's cost, not a closure's.
     */
    private static Duration sleeperDelay;
    private static int sleepersWoken;

    static long[] sleepers(int count, long sleepMillis, LongSupplier liveHeap) {
        sleeperDelay = Duration.ofMillis(sleepMillis);
        sleepersWoken = 0;
        int[] cancelled = {0};
        long[] figures = Asyncio.run(() -> {
            Task<?>[] tasks = new Task<?>[count];
            long before = liveHeap == null ? 0 : liveHeap.getAsLong();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                tasks[i] = Asyncio.createTask(() -> {
                    Asyncio.sleep(sleeperDelay);
                    sleepersWoken++;
                });
            }
            Asyncio.sleep(Duration.ZERO); // every new task runs up to its sleep before this one goes on
            long perTask = -1;
            if (liveHeap != null) {
                perTask = (liveHeap.getAsLong() - before) / count;
                Checks.equal("sleepers: tasks woken before the heap was measured", 0, sleepersWoken);
                for (Task<?> task : tasks) {
                    task.cancel();
                }
            }
            for (Task<?> task : tasks) {
                try {
                    task.await();
                } catch (CancellationException e) {
                    cancelled[0]++;
                }
            }
            return new long[] {System.nanoTime() - start, perTask};
        });
        Checks.equal("sleepers: woken or cancelled tasks", count, sleepersWoken + cancelled[0]);
        Checks.equal("sleepers: cancelled tasks", liveHeap == null ? 0 : count, cancelled[0]);
        return figures;
    }

    /** The timeouts' shared state, in static fields (as the sleepers'): a waiter's body captures nothing. */
    private static Event never;
    private static long timedOut;

    /**
     * A day of timeouts in virtual time, run as a test runs it ({@link AsyncTestRunner}, on a
     * virtual clock): {@code tasks} tasks each wait {@code hours} hours for an event that is never
     * set, one minute at a time under {@link Asyncio#timeout}; real milliseconds for the whole day.
     */
    static double virtualTimeoutsMillis(int tasks, int hours) {
        never = new Event();
        timedOut = 0;
        int minutes = hours * 60;
        long[] virtualNanos = {0};
        long start = System.nanoTime();
        Throwable failure = AsyncTestRunner.runSchedule(new AsyncTestRunner.Settings(0, 1, 0, Long.MAX_VALUE, true), 0,
                () -> {
                    long begin = Asyncio.time();
                    Task<?>[] waiters = new Task<?>[tasks];
                    for (int i = 0; i < tasks; i++) {
                        waiters[i] = Asyncio.createTask(() -> waitMinutes(minutes));
                    }
                    for (Task<?> waiter : waiters) {
                        waiter.await();
                    }
                    virtualNanos[0] = Asyncio.time() - begin;
                });
        long elapsed = System.nanoTime() - start;
        if (failure != null) {
            throw new IllegalStateException("timeouts: the run failed: " + failure, failure);
        }
        Checks.equal("timeouts: timeouts", (long) tasks * minutes, timedOut);
        Checks.equal("timeouts: virtual minutes passed", minutes, virtualNanos[0] / 60_000_000_000L);
        return elapsed / 1e6;
    }

    @Async
    private static void waitMinutes(int minutes) {
        for (int i = 0; i < minutes; i++) {
            try {
                Asyncio.timeout(Duration.ofMinutes(1), () -> never.await());
            } catch (TimeoutException expected) {
                timedOut++;
            }
        }
    }

    /** {@code @Async} calls nested {@code depth} deep; the innermost parks {@code parks} times; nanoseconds per park. */
    static double deepNanos(int depth, int parks) {
        long[] result = {0};
        long elapsed = Asyncio.run(() -> {
            long start = System.nanoTime();
            result[0] = level(depth, parks);
            return System.nanoTime() - start;
        });
        Checks.equal("deep: result", (long) parks * (parks - 1) / 2 + (depth - 1), result[0]);
        return (double) elapsed / parks;
    }

    @Async
    private static long level(int depth, int parks) {
        if (depth > 1) {
            return level(depth - 1, parks) + 1;
        }
        long sum = 0;
        for (int i = 0; i < parks; i++) {
            Asyncio.sleep(Duration.ZERO);
            sum += i;
        }
        return sum;
    }

    /** An {@code @Async} method with a suspension point it never reaches: it returns without parking. */
    @Async
    static long addOne(int x) {
        if (x < 0) {
            Asyncio.sleep(Duration.ZERO);
        }
        return x + 1L;
    }

    /** Calls {@link #addOne} {@code calls} times from an {@code @Async} loop; the sum of its results. */
    @Async
    static long noParkLoop(int calls) {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += addOne(i);
        }
        return sum;
    }

    /**
     * One echo server task and {@code clients} client tasks on 127.0.0.1 exchange 64-byte
     * datagrams, each client awaiting each reply, {@code requests} in all; requests per second.
     */
    static double udpRequestsPerSecond(int clients, int requests) throws IOException {
        int perClient = requests / clients;
        int[] echoed = {0};
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            SocketAddress address = server.getLocalAddress();
            long elapsed = Asyncio.run(() -> {
                long start = System.nanoTime();
                Task<Void> serverTask = Asyncio.createTask(() -> echo(server, perClient * clients));
                Task<?>[] clientTasks = new Task<?>[clients];
                for (int id = 0; id < clients; id++) {
                    int client = id;
                    clientTasks[id] = Asyncio.createTask(() -> ask(client, address, perClient, echoed));
                }
                for (Task<?> task : clientTasks) {
                    task.await();
                }
                serverTask.await();
                return System.nanoTime() - start;
            });
            Checks.equal("udp: echoes", perClient * clients, echoed[0]);
            return echoed[0] * 1e9 / elapsed;
        }
    }

    @Async
    private static void echo(DatagramChannel server, int datagrams) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
        for (int i = 0; i < datagrams; i++) {
            buffer.clear();
            SocketAddress from = Asyncio.receive(server, buffer);
            buffer.flip();
            Asyncio.send(server, buffer, from);
        }
    }

    @Async
    private static void ask(int client, SocketAddress server, int times, int[] echoed) throws IOException {
        try (DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            ByteBuffer request = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            ByteBuffer reply = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            for (int n = 0; n < times; n++) {
                request.clear();
                request.putInt(0, client).putInt(4, n);
                Asyncio.send(channel, request, server);
                reply.clear();
                Asyncio.receive(channel, reply);
                Checks.reply(reply, client, n);
                echoed[0]++;
            }
        }
    }
}
