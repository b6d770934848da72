package io.jasyncio.sync;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Frame;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.TaskCore;
import io.jasyncio.internal.WaitQueue;
import io.jasyncio.internal.WaitSite;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A first-in first-out queue between the tasks of one loop, like {@code asyncio.Queue}:
 * {@link #get()} parks while it is empty, {@link #put} parks while it is full (when bounded),
 * and {@link #shutdown(boolean)} ends it as Python 3.13's {@code Queue.shutdown} does.
 *
 * <h2>Overview</h2>
 * Two of the fair {@link WaitQueue}s of the synchronisation primitives: getters and putters,
 * each served first-in first-out. Nothing is ever lost or duplicated by a cancel, because the
 * queue hands things over instead of letting woken tasks race for them:
 * <ul>
 * <li>An item that arrives while getters wait is handed to the first getter, which owns it
 *     before it even runs (woken getters run in the order they were woken and take the items
 *     handed out in that order). If that getter is cancelled before it runs, its claim goes to
 *     the next waiting getter, or, with none, an item goes back to the head of the queue, in
 *     its place in the order.
 * <li>A slot that frees up while putters wait is reserved for the first putter, which adds
 *     its item when it runs. If that putter is cancelled before it runs, its reservation goes
 *     to the next putter; its item was never added, and its {@code put} throws the
 *     {@code CancellationException}.
 * </ul>
 * Items handed to a getter that has not run yet, and slots reserved for a putter that has not
 * run yet, count against {@code maxSize}; so a bounded queue never holds more than
 * {@code maxSize} items that no getter has received, and a task that comes along meanwhile
 * cannot barge in ahead of the waiters: {@link #offer} fails and {@link #put} parks behind
 * them. Rejected: asyncio's way of waking a waiter to try again, which lets a newcomer take
 * what the waiter was woken for, so the order depends on timing.
 *
 * <h2>Shutdown</h2>
 * After {@link #shutdown(boolean) shutdown(false)}, {@code put} and {@code offer} throw
 * {@link QueueShutDownException}, and every parked putter is woken with it (a putter whose
 * slot was reserved but that had not run yet fails too: its item was not added); {@code get}
 * and {@code poll} still take the items left and throw once the queue is empty, and parked
 * getters (who wait only when it is empty) are woken with it. {@code shutdown(true)} also
 * drops the items in the queue at once. Items already handed to a getter stay handed, unless
 * that getter is cancelled before it runs: then its item is dropped too.
 *
 * <h2>Unfinished items</h2>
 * As in asyncio, every item added counts as unfinished until a consumer calls
 * {@link #taskDone()} for it; {@link #join()} parks until none is left. Items that
 * {@code shutdown(true)} drops count as finished.
 *
 * <p>Items must not be {@code null} ({@code poll} answers {@code null} for "empty"). Must be
 * used on the loop's thread, by tasks of one loop.
 *
 * @param <T> the type of the items
 */
public final class Queue<T> {
    /** What a getter or putter is woken with when the queue is shut down. */
    private static final Object SHUT_DOWN = new Object();
    /** What a putter is woken with when a slot is reserved for it. */
    private static final Object SLOT = new Object();
    /** What a getter is woken with when an item is handed to it: it takes the oldest in {@link #inFlight}. */
    private static final Object CLAIM = new Object();

    private static final Resumer GET = frame -> frame == null ? null : ((Queue<?>) frame.refs[0]).get();
    private static final Resumer PUT = frame -> frame == null ? null : putResumed(frame);

    /** The most items the queue holds; 0 for unbounded. */
    private final int maxSize;
    /** The items no getter was handed yet, oldest first. Invariant: non-empty implies no getter waits. */
    private final ArrayDeque<T> items = new ArrayDeque<>();
    /** Tasks parked in {@link #get()}, first-in first-out. */
    private final WaitQueue getters = new WaitQueue();
    /** Tasks parked in {@link #put}, first-in first-out. Invariant: non-empty implies the queue is full. */
    private final WaitQueue putters = new WaitQueue();
    /** What getters park on. */
    private final WaitSite getSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            cancelGet(task);
        }

        @Override
        public String describe(TaskCore task) {
            return "item from Queue";
        }
    };
    /** What putters park on. */
    private final WaitSite putSite = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            cancelPut(task);
        }

        @Override
        public String describe(TaskCore task) {
            return "room in Queue (maxSize " + maxSize + ")";
        }
    };
    /**
     * Items handed to woken getters that have not run yet, oldest first, one for each of them.
     * Such getters run in the order they were woken, so each takes the oldest; one cancelled
     * before it ran leaves the newest without a taker, and that one goes back to the queue.
     * All of them are older than any item in {@link #items} put there normally.
     */
    private final ArrayDeque<T> inFlight = new ArrayDeque<>();
    /** Slots reserved for woken putters that have not run yet. */
    private int reservedSlots;
    private boolean shutDown;
    /** Whether {@code shutdown(true)} was called: items are dropped, even one a cancelled getter gives back. */
    private boolean immediate;
    /** Items added and not yet marked done by {@link #taskDone()} (nor dropped). */
    private int unfinished;
    /** Tasks parked in {@link #join()}. */
    private final WaitQueue joiners = new WaitQueue();
    private final WaitSite joinSite = joiners::remove;

    /**
     * Makes an empty queue.
     *
     * @param maxSize the most items it holds, so that {@link #put} parks beyond; 0 for unbounded
     * @throws IllegalArgumentException if {@code maxSize} is negative
     */
    public Queue(int maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("Queue: maxSize must be 0 (unbounded) or more, but is " + maxSize);
        }
        this.maxSize = maxSize;
    }

    /** Makes an empty unbounded queue. */
    public Queue() {
        this(0);
    }

    /**
     * Adds {@code item} at the tail, parking while the queue is full. Returns without parking
     * when there is room. When getters wait, the item goes straight to the first of them.
     *
     * @param item the item, not null
     * @throws NullPointerException if {@code item} is null
     * @throws QueueShutDownException if the queue is shut down, before or while this task
     *     waits; the item was not added
     * @throws IllegalStateException when called outside a task
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it
     *     waits; the item was not added
     */
    @Async
    public void put(T item) {
        Objects.requireNonNull(item, "Queue.put: item");
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Queue.put");
        checkOpen("put");
        if (hasRoom()) {
            add(item);
            return;
        }
        putters.park(loop, putSite);
        PrimitiveFrames.spill(loop, null, PUT, /* state = */ 1, this, item);
    }

    /** A putter resumes: it was reserved a slot, or the queue was shut down, or it was cancelled. */
    @SuppressWarnings("unchecked")
    private static Object putResumed(Frame frame) {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Queue.put");
        Coroutines.resumeFrame(loop);
        Object woken = Coroutines.resumeValue(loop);
        Queue<Object> queue = (Queue<Object>) frame.refs[0];
        if (woken == SLOT) {
            queue.reservedSlots--;
        }
        queue.checkOpen("put");
        queue.add(frame.refs[1]);
        return null;
    }

    /**
     * Adds {@code item} if there is room now, without parking.
     *
     * @param item the item, not null
     * @return {@code true} if it was added; {@code false} if the queue is full
     * @throws NullPointerException if {@code item} is null
     * @throws QueueShutDownException if the queue is shut down
     */
    public boolean offer(T item) {
        Objects.requireNonNull(item, "Queue.offer: item");
        checkOpen("offer");
        if (!hasRoom()) {
            return false;
        }
        add(item);
        return true;
    }

    /**
     * Takes the item at the head, parking while the queue is empty. Returns without parking
     * when an item is there.
     *
     * @return the item, never null
     * @throws QueueShutDownException if the queue is shut down and empty, before or while this
     *     task waits
     * @throws IllegalStateException when called outside a task
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it
     *     waits; it then took no item (one handed to it goes to the next getter)
     */
    @Async
    public T get() {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Queue.get");
        if (Coroutines.resumeFrame(loop) != null) {
            Object woken = Coroutines.resumeValue(loop);
            if (woken == SHUT_DOWN) {
                throw shutDownAndEmpty("get");
            }
            T item = inFlight.poll();
            grantSlots();
            return item;
        }
        T item = items.poll();
        if (item != null) {
            grantSlots();
            return item;
        }
        if (shutDown) {
            throw shutDownAndEmpty("get");
        }
        getters.park(loop, getSite);
        PrimitiveFrames.spill(loop, null, GET, /* state = */ 1, this);
        return null;
    }

    /**
     * Takes the item at the head if there is one, without parking.
     *
     * @return the item, or {@code null} when the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public T poll() {
        T item = items.poll();
        if (item != null) {
            grantSlots();
            return item;
        }
        if (shutDown) {
            throw shutDownAndEmpty("poll");
        }
        return null;
    }

    /**
     * Shuts the queue down, like Python 3.13's {@code Queue.shutdown(immediate)}: from now on
     * {@code put} and {@code offer} throw {@link QueueShutDownException}, and so do {@code get}
     * and {@code poll} once the queue is empty. Every parked putter and getter is woken with
     * that exception. Calling it again does nothing more, except that a later
     * {@code shutdown(true)} still drops the items left.
     *
     * @param immediate {@code true} to drop the items in the queue at once; {@code false} to let
     *     getters take them first
     */
    public void shutdown(boolean immediate) {
        shutDown = true;
        if (immediate) {
            this.immediate = true;
            finished(items.size());
            items.clear();
        }
        putters.wakeAll(SHUT_DOWN);
        if (items.isEmpty()) {
            getters.wakeAll(SHUT_DOWN);
        }
    }

    /** {@link #shutdown(boolean) shutdown(false)}: getters may still take the items left. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Whether {@link #shutdown(boolean)} was called.
     *
     * @return {@code true} once shut down
     */
    public boolean isShutDown() {
        return shutDown;
    }

    /**
     * The number of items in the queue, not counting those already handed to a getter that
     * has not run yet.
     *
     * @return zero or more
     */
    public int size() {
        return items.size();
    }

    /**
     * Whether no item is in the queue ({@link #size()} is 0).
     *
     * @return {@code true} when empty
     */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether {@link #offer} would fail and {@link #put} park now: the items in the queue, those
     * handed to getters that have not run and the slots reserved for putters that have not run
     * add up to {@code maxSize}. Never true for an unbounded queue.
     *
     * @return {@code true} when full
     */
    public boolean isFull() {
        return !hasRoom();
    }

    /**
     * The capacity given to the constructor.
     *
     * @return the most items the queue holds, 0 for unbounded
     */
    public int maxSize() {
        return maxSize;
    }

    /**
     * Marks one item taken from the queue as processed, like asyncio's {@code task_done()}: a
     * consumer calls it once for each item it got. When every item added has been marked so,
     * the tasks parked in {@link #join()} are woken.
     *
     * @throws IllegalStateException if called more times than items were added
     */
    public void taskDone() {
        if (unfinished == 0) {
            throw new IllegalStateException("Queue.taskDone: called more times than there were items");
        }
        finished(1);
    }

    /**
     * Parks until every item added to the queue has been marked done with {@link #taskDone()},
     * like asyncio's {@code Queue.join()}. Returns at once when none is unfinished.
     *
     * @throws IllegalStateException when called outside a task
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public void join() {
        EventLoop loop = Coroutines.enter("io.jasyncio.sync.Queue.join");
        if (unfinished > 0) {
            joiners.park(loop, joinSite);
        }
    }

    /**
     * The number of items added and not yet marked done with {@link #taskDone()}.
     *
     * @return zero or more
     */
    public int unfinished() {
        return unfinished;
    }

    private void finished(int count) {
        unfinished -= count;
        if (unfinished == 0) {
            joiners.wakeAll(null);
        }
    }

    private boolean hasRoom() {
        return maxSize == 0 || items.size() + inFlight.size() + reservedSlots < maxSize;
    }

    /** Hands {@code item} to the first getter, or appends it. There is room for it. */
    private void add(T item) {
        unfinished++;
        if (!getters.isEmpty()) {
            inFlight.add(item);
            getters.wakeFirst(CLAIM);
        } else {
            items.add(item);
        }
    }

    /** Reserves the slots that are free for the first putters. */
    private void grantSlots() {
        while (!putters.isEmpty() && hasRoom()) {
            reservedSlots++;
            putters.wakeFirst(SLOT);
        }
    }

    private void checkOpen(String method) {
        if (shutDown) {
            throw new QueueShutDownException("Queue." + method + ": the queue is shut down and takes no more items");
        }
    }

    private QueueShutDownException shutDownAndEmpty(String method) {
        return new QueueShutDownException("Queue." + method + ": the queue is shut down and "
                + (immediate ? "its items were dropped (shutdown(immediate = true))" : "empty"));
    }

    /**
     * A getter cancelled while queued leaves. One handed an item before it ran passes its claim
     * to the next waiting getter; with none, the newest item in flight goes back to the head of
     * the queue (the getters that did not give up take the older ones).
     */
    private void cancelGet(TaskCore task) {
        if (getters.remove(task) || WaitQueue.handedValue(task) == SHUT_DOWN) {
            return;
        }
        if (!getters.isEmpty()) {
            getters.wakeFirst(CLAIM);
            return;
        }
        T freed = inFlight.pollLast();
        if (!immediate) {
            items.addFirst(freed); // older than every item put since, newer than any given back before
        } else {
            finished(1);
        }
    }

    /** A putter cancelled while queued leaves; one reserved a slot before it ran passes it on. */
    private void cancelPut(TaskCore task) {
        if (putters.remove(task)) {
            return;
        }
        if (WaitQueue.handedValue(task) == SLOT) {
            reservedSlots--;
            grantSlots();
        }
    }

    @Override
    public String toString() {
        return "Queue[" + items.size() + (maxSize == 0 ? "" : "/" + maxSize) + " items, "
                + getters.size() + " getters, " + putters.size() + " putters waiting"
                + (unfinished == 0 ? "" : ", " + unfinished + " unfinished")
                + (shutDown ? ", shut down" : "") + "]";
    }
}
