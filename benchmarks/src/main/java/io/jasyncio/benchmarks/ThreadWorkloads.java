package io.jasyncio.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The workloads written with threads: virtual threads (JDK 21+, reached by reflection since this
 * module is compiled for 17) or platform threads. {@code Thread.yield()} stands for
 * {@code sleep(ZERO)}, except in platform threads' switch, where two threads hand over to each
 * other with {@code LockSupport.park/unpark} (two yielding platform threads on two cores would run
 * side by side and never switch).
 */
final class ThreadWorkloads {
    private final ThreadFactory factory;
    private final boolean virtual;

    private ThreadWorkloads(ThreadFactory factory, boolean virtual) {
        this.factory = factory;
        this.virtual = virtual;
    }

    /** Virtual threads, through {@code Thread.ofVirtual().factory()}; fails on a JDK before 21. */
    static ThreadWorkloads virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
            return new ThreadWorkloads((ThreadFactory) factory.invoke(builder), true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("virtual threads need JDK 21 or later; this is JDK "
                    + Runtime.version() + " (" + System.getProperty("java.home") + ")", e);
        }
    }

    /** Platform threads. */
    static ThreadWorkloads platformThreads() {
        return new ThreadWorkloads(Thread::new, false);
    }

    private Thread start(Runnable body) {
        Thread thread = factory.newThread(body);
        thread.start();
        return thread;
    }

    private static void joinAll(Thread... threads) {
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted while joining " + thread, e);
            }
        }
    }

    /** Two threads switch {@code perTask} times each; nanoseconds per switch. */
    double switchNanos(int perTask) {
        AtomicLong switches = new AtomicLong();
        long start = System.nanoTime();
        if (virtual) {
            Runnable body = () -> {
                for (int i = 0; i < perTask; i++) {
                    Thread.yield();
                    switches.incrementAndGet();
                }
            };
            joinAll(start(body), start(body));
        } else {
            handOver(perTask, switches);
        }
        long elapsed = System.nanoTime() - start;
        Checks.equal("switch: switches", 2L * perTask, switches.get());
        return (double) elapsed / (2L * perTask);
    }

    /** Platform threads' switch: strict alternation, each thread parks until the other hands over. */
    private void handOver(int perTask, AtomicLong switches) {
        AtomicInteger turn = new AtomicInteger();
        Thread[] pair = new Thread[2];
        CountDownLatch started = new CountDownLatch(1);
        for (int me = 0; me < 2; me++) {
            int self = me;
            pair[me] = factory.newThread(() -> {
                awaitQuietly(started);
                for (int i = 0; i < perTask; i++) {
                    while (turn.get() != self) {
                        LockSupport.park();
                    }
                    switches.incrementAndGet();
                    turn.set(1 - self);
                    LockSupport.unpark(pair[1 - self]);
                }
            });
        }
        pair[0].start();
        pair[1].start();
        started.countDown();
        joinAll(pair);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Starts {@code count} threads that yield once and end, then joins them; nanoseconds per thread. */
    double spawnNanos(int count) {
        AtomicInteger finished = new AtomicInteger();
        Thread[] threads = new Thread[count];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            threads[i] = start(() -> {
                Thread.yield();
                finished.incrementAndGet();
            });
        }
        joinAll(threads);
        long elapsed = System.nanoTime() - start;
        Checks.equal("spawn: finished threads", count, finished.get());
        return (double) elapsed / count;
    }

    /**
     * {@code count} threads each sleep {@code sleepMillis} at once. Returns {wall nanoseconds,
     * heap bytes per parked thread}. Given {@code liveHeap}, measures the heap with it once all are
     * parked, then interrupts them instead of waiting; without, the second figure is -1.
     */
    long[] sleepers(int count, long sleepMillis, LongSupplier liveHeap) {
        AtomicInteger woken = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        CountDownLatch parked = new CountDownLatch(count);
        Thread[] threads = new Thread[count];
        long before = liveHeap == null ? 0 : liveHeap.getAsLong();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            threads[i] = start(() -> {
                parked.countDown();
                try {
                    Thread.sleep(sleepMillis);
                    woken.incrementAndGet();
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
            });
        }
        awaitQuietly(parked);
        long perThread = -1;
        if (liveHeap != null) {
            perThread = (liveHeap.getAsLong() - before) / count;
            Checks.equal("sleepers: threads woken before the heap was measured", 0, woken.get());
            for (Thread thread : threads) {
                thread.interrupt();
            }
        }
        joinAll(threads);
        long elapsed = System.nanoTime() - start;
        Checks.equal("sleepers: woken or interrupted threads", count, woken.get() + interrupted.get());
        Checks.equal("sleepers: interrupted threads", liveHeap == null ? 0 : count, interrupted.get());
        return new long[] {elapsed, perThread};
    }

    /** Calls nested {@code depth} deep in one thread; the innermost yields {@code parks} times; nanoseconds per park. */
    double deepNanos(int depth, int parks) {
        long[] result = {0};
        long[] elapsed = {0};
        joinAll(start(() -> {
            long start = System.nanoTime();
            result[0] = level(depth, parks);
            elapsed[0] = System.nanoTime() - start;
        }));
        Checks.equal("deep: result", (long) parks * (parks - 1) / 2 + (depth - 1), result[0]);
        return (double) elapsed[0] / parks;
    }

    private static long level(int depth, int parks) {
        if (depth > 1) {
            return level(depth - 1, parks) + 1;
        }
        long sum = 0;
        for (int i = 0; i < parks; i++) {
            Thread.yield();
            sum += i;
        }
        return sum;
    }

    /**
     * One echo server thread and {@code clients} client threads on 127.0.0.1 with blocking
     * channels, 64-byte datagrams, {@code requests} in all; requests per second.
     */
    double udpRequestsPerSecond(int clients, int requests) throws IOException {
        int perClient = requests / clients;
        AtomicInteger echoed = new AtomicInteger();
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            SocketAddress address = server.getLocalAddress();
            long start = System.nanoTime();
            Thread serverThread = start(() -> echo(server, perClient * clients));
            Thread[] clientThreads = new Thread[clients];
            for (int id = 0; id < clients; id++) {
                int client = id;
                clientThreads[id] = start(() -> ask(client, address, perClient, echoed));
            }
            joinAll(clientThreads);
            joinAll(serverThread);
            long elapsed = System.nanoTime() - start;
            Checks.equal("udp: echoes", perClient * clients, echoed.get());
            return echoed.get() * 1e9 / elapsed;
        }
    }

    private static void echo(DatagramChannel server, int datagrams) {
        try {
            ByteBuffer buffer = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            for (int i = 0; i < datagrams; i++) {
                buffer.clear();
                SocketAddress from = server.receive(buffer);
                buffer.flip();
                server.send(buffer, from);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void ask(int client, SocketAddress server, int times, AtomicInteger echoed) {
        try (DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            ByteBuffer request = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            ByteBuffer reply = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            for (int n = 0; n < times; n++) {
                request.clear();
                request.putInt(0, client).putInt(4, n);
                channel.send(request, server);
                reply.clear();
                channel.receive(reply);
                Checks.reply(reply, client, n);
                echoed.incrementAndGet();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
