package io.jasyncio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * What other threads hand to one loop, and the loop's account of the work it handed to them:
 * the only part of a loop that is shared between threads. A loop makes its inbox the first time
 * something needs it ({@code Asyncio.runningLoop}, {@code toThread}, {@code await} of a stage,
 * {@code toCompletableFuture}); a loop that never does pays one null test per step.
 *
 * <h2>The queue</h2>
 * Callbacks are pushed on a Treiber stack ({@link #head}, one compare-and-set per post, no
 * lock), and the loop takes the whole stack with one swap at each step and runs it oldest first:
 * posts from one thread run in the order they were made, posts from different threads in the
 * order their pushes took effect. The post that finds the stack empty wakes the loop; later ones
 * find it non-empty and know a wake-up is already on its way. The loop never blocks while the
 * stack is non-empty (it tests that after the last moment a post could still have been missed),
 * and both ways it blocks keep a wake-up sent before they begin ({@code LockSupport.unpark}
 * leaves a permit, {@code Selector.wakeup} makes the next select return), so no wake-up is lost.
 * Rejected: {@code ConcurrentLinkedQueue} (a volatile read per element and a node per post
 * anyway), a lock with a condition (the loop would take it at every step).
 *
 * <h2>Closing</h2>
 * When the loop ends it swaps {@link #CLOSED} in: posts made before run, later ones are refused
 * (the public {@code callSoonThreadsafe} throws, internal completions are dropped, as nobody waits
 * for them any more).
 *
 * <h2>Outstanding work</h2>
 * {@link #outstanding} counts the waits whose end another thread will post (a {@code toThread}
 * job, an awaited {@code CompletionStage}). While it is above zero the loop is not deadlocked,
 * it waits for the post; the deadlock detector cannot see a thread that will call
 * {@code callSoonThreadsafe} on its own, which is why waiting for another thread is done by
 * awaiting a future it completes.
 */
public final class Inbox {
    /** One posted callback; {@link #next} is the one posted before it. */
    private static final class Node {
        final Runnable callback;
        Node next;

        Node(Runnable callback) {
            this.callback = callback;
        }
    }

    private static final Node CLOSED = new Node(null);
    private static final AtomicInteger EXECUTORS = new AtomicInteger();

    private final EventLoop loop;
    /** The selector the loop may block in; woken with the thread on every first post. */
    private final Selector selector;
    /** The callbacks posted and not yet taken, newest first; {@link #CLOSED} once the loop closed. */
    private final AtomicReference<Node> head = new AtomicReference<>();
    /** Waits whose end another thread will post; loop thread only. */
    int outstanding;
    /** The executor of {@code toThread} without one, made on first use; loop thread only. */
    private ExecutorService defaultExecutor;
    /** The public face of this loop ({@code io.jasyncio.Loop}), made by {@code Asyncio.runningLoop}; loop thread only. */
    public Object face;

    Inbox(EventLoop loop, Selector selector) {
        this.loop = loop;
        this.selector = selector;
    }

    /**
     * Adds {@code callback} to the loop's queue from any thread and wakes the loop if it may
     * be blocked.
     *
     * @return {@code false}, and nothing is done, if the loop has closed
     */
    public boolean post(Runnable callback) {
        Node node = new Node(callback);
        for (;;) {
            Node first = head.get();
            if (first == CLOSED) {
                return false;
            }
            node.next = first;
            if (head.compareAndSet(first, node)) {
                if (first == null && Thread.currentThread() != loop.thread) {
                    // the loop thread itself is not blocked: it looks at the stack before it blocks
                    LockSupport.unpark(loop.thread);
                    selector.wakeup();
                }
                return true;
            }
        }
    }

    /** Whether the loop has closed, so that posts are refused. */
    public boolean isClosed() {
        return head.get() == CLOSED;
    }

    /** Whether posts wait to be run. */
    boolean hasPending() {
        Node first = head.get();
        return first != null && first != CLOSED;
    }

    /** Whether nothing waits to be run and no other thread is expected to post. */
    boolean isIdle() {
        return outstanding == 0 && !hasPending();
    }

    /** Runs, oldest first, the callbacks posted so far; on the loop thread, between task steps. */
    void runPending() {
        Node taken = head.get();
        if (taken == null || taken == CLOSED) {
            return;
        }
        runAll(head.getAndSet(null));
    }

    /**
     * Refuses posts from now on and runs those made before.
     *
     * @return whether it ran any (which may have made tasks)
     */
    boolean close() {
        Node taken = head.getAndSet(CLOSED);
        if (taken == null || taken == CLOSED) {
            return false;
        }
        runAll(taken);
        return true;
    }

    /** When the loop is gone: refuses posts, drops those not run, lets the default executor's threads end. */
    void shutdown() {
        head.set(CLOSED);
        if (defaultExecutor != null) {
            defaultExecutor.shutdown();
        }
    }

    private void runAll(Node newestFirst) {
        Node oldestFirst = null;
        while (newestFirst != null) {
            Node next = newestFirst.next;
            newestFirst.next = oldestFirst;
            oldestFirst = newestFirst;
            newestFirst = next;
        }
        for (Node node = oldestFirst; node != null; node = node.next) {
            try {
                node.callback.run();
            } catch (Throwable failure) {
                ExceptionReports.report(loop, "exception in callback " + node.callback
                        + " given to callSoonThreadsafe", failure, null);
            }
        }
    }

    /**
     * The executor of {@code toThread} without one: up to {@code min(32, processors + 4)}
     * daemon threads (as asyncio's default executor), idle ones ending after 10 s; shut down
     * when the loop closes.
     */
    java.util.concurrent.Executor defaultExecutor() {
        if (defaultExecutor == null) {
            int threads = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            int number = EXECUTORS.incrementAndGet();
            AtomicInteger made = new AtomicInteger();
            ThreadFactory factory = work -> {
                Thread thread = new Thread(work, "jasyncio-to-thread-" + number + "-" + made.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
            ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), factory);
            executor.allowCoreThreadTimeOut(true);
            defaultExecutor = executor;
        }
        return defaultExecutor;
    }

    /** Opens the selector an inbox wakes, when the loop has none yet. */
    static Selector openSelector() {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the event loop", e);
        }
    }
}
