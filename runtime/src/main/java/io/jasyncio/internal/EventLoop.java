package io.jasyncio.internal;

import io.jasyncio.AsyncCallable;
import io.jasyncio.AsyncRunnable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The single-threaded event loop, after the seed's scheduler: a FIFO queue of ready tasks, a
 * heap of timers ordered by (deadline, sequence), and one {@link Selector} for the channels
 * that parked tasks wait on.
 *
 * <h2>One step</h2>
 * {@link #runOnce()} computes how long it may block (zero when a task is ready, until the
 * nearest timer otherwise, for ever when only channels can wake a task), waits in
 * {@code select} (or parks the thread when no channel is registered, which is more precise),
 * moves the channels that became ready and the timers that fell due to the ready queue, and
 * then runs the tasks that were ready when the step began. Tasks made ready during the step
 * run in the next one, so a task that yields with {@code sleep(0)} lets every other ready task
 * run first. Time comes from a {@link Clock}; with a manual one, waiting for a timer only moves
 * the clock, so tests run in virtual time. A test's {@link Schedule}, when the loop has one,
 * may reorder the tasks of one step (never across steps, never timers due at the same instant)
 * and watch each step; a clock that {@linkplain Clock#isVirtual is virtual} makes the loop
 * refuse channels, which would wait in real time while its time stands still.
 *
 * <h2>Ending</h2>
 * {@link #run} steps until main ends, then cancels the tasks left, oldest first, and steps
 * until they have ended too, so their {@code finally} blocks run. When no task is ready and
 * none can ever wake up (no timer, no channel wait, no work on another thread: see
 * {@link Inbox}) it does the same to every task, main included, and throws an
 * {@code IllegalStateException} describing the deadlock, rather than hang: a headline and the
 * {@link TaskTree} dump of every task, taken before they are cancelled. Failures of tasks that
 * nobody retrieved are then handed to the exception handler ({@link ExceptionReports}).
 *
 * <h2>Running a task: the driver</h2>
 * {@link #step} resumes a task's innermost frame; when that method returns, the driver hands
 * its result to the caller's frame and resumes that, until the task parks again (some method
 * set {@link #parking}) or its entry returns. The driver, not the Java stack, walks the chain,
 * so a resume costs the same at any call depth. When the method that returns held the task's
 * own frame slot (see {@link Frame}), the driver frees the slot for the next method to park.
 *
 * <h2>The ready queue</h2>
 * A ring of task references ({@link ReadyQueue}); a task is in it at most once (its state is
 * READY or NEW while it is). {@code sleep(0)} puts the running task at its end directly, the
 * cheapest park there is: no timer, no wait site, no frame beyond the task's own.
 *
 * <h2>Channels</h2>
 * A channel is registered once and keeps its key (and its {@link ChannelWait}) until it is
 * closed. Interest in an operation is added when a task parks for it and dropped lazily, only
 * when {@code select} reports the channel ready with nobody waiting: a task that reads until
 * the channel is empty and parks again, the usual loop, costs no {@code epoll_ctl}. Ready keys
 * are handed to a consumer ({@code Selector.select(Consumer)}), so a step allocates no
 * iterator; a parking {@code receive} or {@code send} spills into the task's own frame and a
 * per-channel array, so it allocates nothing either. {@link SocketIo} parks TCP's accept,
 * connect, read and write on the same waits.
 *
 * <h2>What was rejected</h2>
 * A {@code ThreadLocal} read after every suspending call (a woven method keeps the loop it got
 * on entry in a local instead, and the lookup itself first tries {@link #sole}); re-entering
 * the whole chain of methods from the task's entry on resume, as Quasar, Kilim and JavaFlow
 * do; one wrapper object per timer (a task is its own timer entry); an {@code ArrayDeque} for
 * the ready queue (it never shrinks: see {@link ReadyQueue}); a doubly linked list of live
 * tasks (a field per task; tasks that ended are dropped from the singly linked one in sweeps
 * that cost O(1) per task); scanning every key for closed channels at every step (done before
 * the loop blocks, and every {@link #CLOSED_CHANNEL_SCAN} steps otherwise).
 */
public final class EventLoop {
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
    /**
     * The loop last started in this JVM: a cache in front of {@link #CURRENT} that is trusted only
     * when {@code sole.thread == Thread.currentThread()}, so a stale or racy read is harmless.
     */
    static EventLoop sole;

    /** The thread that runs this loop; never changes. */
    final Thread thread = Thread.currentThread();

    // ---- state shared with woven code (Coroutines); one task runs at a time, so one set suffices
    /** Set by a method that parks; every caller up the chain sees it, spills and returns. */
    public boolean parking;
    Frame resumeFrame;
    Object resumeValue;
    Throwable resumeFailure;
    /** The frame spilled last during the current unwinding; null when none yet. */
    Frame lastSpilled;
    /** The task being stepped; null between steps. */
    TaskCore current;

    private final ReadyQueue ready = new ReadyQueue();
    private final TimerHeap timers = new TimerHeap();
    private final Clock clock;
    /** A test's reordering of each step's ready tasks and its hooks; null in production (see {@link Schedule}). */
    private final Schedule schedule;
    private Selector selector;
    /** Hands each key {@code select} found ready to its {@link ChannelWait}; one instance, no allocation per step. */
    private final Consumer<SelectionKey> onReadyKey = key -> {
        Object wait = key.attachment();
        if (wait instanceof ChannelWait && key.isValid()) {
            ((ChannelWait) wait).ready(key.readyOps());
        }
    };
    private int channelWaiters;
    /** Steps between two scans for closed channels while the loop does not block. */
    private static final int CLOSED_CHANNEL_SCAN = 64;
    private int stepsSinceScan;
    /** Number of steps begun; tells how soon a parked reader was woken (see ChannelWait.guessEmpty). */
    long steps;
    private int timerSequence;
    private int taskIds;
    /**
     * The tasks, oldest first: head and tail of a list singly linked through
     * {@code TaskCore.nextLive}. It may still hold tasks that ended ({@link #endedLinked} of
     * them); {@link #sweepLive} drops them once they are more than half as many as the live
     * ones (plus 1024), so a task that ended stays reachable a little longer, never for ever.
     */
    private TaskCore live;
    private TaskCore liveTail;
    /** The tasks that have not ended. */
    private int liveCount;
    private int endedLinked;
    /** Failed tasks nobody awaited yet; reported when the loop closes. */
    private final List<TaskCore> failures = new ArrayList<>();
    /** The size of {@link #failures} at which those retrieved meanwhile are dropped from it. */
    private int failuresPruneAt = 1024;
    /** The tasks whose failure was reported as never retrieved when the loop closed. */
    private final List<String> lostFailures = new ArrayList<>();
    private boolean closed;
    /** What other threads hand to this loop; null until something needs it (see {@link Inbox}). */
    Inbox inbox;
    /**
     * The simulated network that carries this loop's datagrams instead of the kernel, or null
     * for real sockets (the socket calls pay one null check for it); see {@link NetworkSimulator}.
     */
    NetworkSimulator network;

    /**
     * The loop's time source, in nanoseconds like {@link System#nanoTime()}. Tests use a manual
     * one, so timers fall due in virtual time without real waiting.
     */
    @FunctionalInterface
    public interface Clock {
        /** The current time in nanoseconds; only differences between two values mean anything. */
        long nanoTime();

        /**
         * Lets {@code nanos} nanoseconds of this clock's time pass, at a moment when no task
         * is ready and no channel is watched, so only a timer can wake a task. The system clock
         * parks the thread (it may return early); a manual clock moves itself forward.
         *
         * @param nanos how long, greater than zero
         */
        default void idle(long nanos) {
            LockSupport.parkNanos(nanos);
        }

        /**
         * Whether this clock's time is virtual: it moves only through {@link #idle} (or by a
         * test's hand), so time cannot pass while the loop waits in {@code select}. A loop
         * with a virtual clock refuses to register channels ({@code IllegalStateException}),
         * rather than wait in real time while its clock stands still.
         *
         * @return false for the system clock; true for a test's virtual clock
         */
        default boolean isVirtual() {
            return false;
        }
    }

    public EventLoop() {
        this(System::nanoTime);
    }

    public EventLoop(Clock clock) {
        this(clock, null);
    }

    /**
     * A loop whose time comes from {@code clock} and whose steps are reordered by {@code schedule}.
     *
     * @param clock the time source
     * @param schedule null for first-in first-out order (see {@link Schedule})
     */
    public EventLoop(Clock clock, Schedule schedule) {
        this.clock = clock;
        this.schedule = schedule;
    }

    /** The loop running on this thread, or null. */
    public static EventLoop current() {
        EventLoop loop = sole;
        if (loop != null && loop.thread == Thread.currentThread() && !loop.closed) {
            return loop;
        }
        return CURRENT.get();
    }

    /** The loop running on this thread; {@code IllegalStateException} naming {@code what} when none. */
    public static EventLoop require(String what) {
        EventLoop loop = current();
        if (loop == null) {
            throw new IllegalStateException(what + " needs a running event loop on this thread: "
                    + "call it from code started with Asyncio.run(...)");
        }
        return loop;
    }

    /** The task running now; {@code IllegalStateException} when none. */
    public TaskCore currentTask(String what) {
        if (current == null) {
            throw new IllegalStateException(what + " must be called from a task");
        }
        return current;
    }

    public long now() {
        return clock.nanoTime();
    }

    int nextTaskId() {
        return ++taskIds;
    }

    void checkThread(String what) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException(what + " must be called on the event loop's thread " + thread.getName());
        }
    }

    /** This loop's {@link Inbox}, made on first use; on the loop's thread. */
    public Inbox inbox() {
        if (inbox == null) {
            checkThread("EventLoop.inbox");
            if (selector == null) {
                selector = Inbox.openSelector();
            }
            inbox = new Inbox(this, selector);
        }
        return inbox;
    }

    // ------------------------------------------------------------------ running

    /**
     * Like {@code asyncio.run}: runs {@code main} on a new loop on this thread until it ends,
     * cancels the tasks still pending and lets them finish, closes the loop and returns main's
     * result or throws its failure as {@code Task.await} would.
     */
    public static <R> R run(Function<EventLoop, ? extends TaskCore> main) {
        return run(System::nanoTime, main);
    }

    /**
     * Like {@link #run(Function)} on a loop whose time comes from {@code clock}. {@code main}
     * is called with the new loop already current, so it may make its task with
     * {@code Asyncio.createTask}. A manual clock moves only through {@link Clock#idle}, which
     * would not be called while a task waits on a channel ({@code select} waits in real time
     * then), so a loop whose clock implements {@code idle} refuses to wait for real I/O (an
     * {@code IllegalStateException} at the first wait): use one for programs of tasks and
     * timers, and for UDP on a {@link NetworkSimulator}.
     */
    public static <R> R run(Clock clock, Function<EventLoop, ? extends TaskCore> main) {
        return run(clock, null, main);
    }

    /**
     * Like {@link #run(Clock, Function)} on a loop whose steps {@code schedule} reorders and
     * watches (see {@link Schedule}); for test tools.
     *
     * @param clock the time source
     * @param schedule null for first-in first-out order
     * @param main makes the main task, called with the new loop current
     * @param <R> the type of main's result
     * @return main's result
     */
    public static <R> R run(Clock clock, Schedule schedule, Function<EventLoop, ? extends TaskCore> main) {
        if (current() != null) {
            throw new IllegalStateException("an event loop is already running on thread "
                    + Thread.currentThread().getName() + ": use createTask or await instead of a nested Asyncio.run");
        }
        EventLoop loop = new EventLoop(clock, schedule);
        CURRENT.set(loop);
        sole = loop;
        try {
            TaskCore task = main.apply(loop);
            while (task.state != TaskCore.DONE) {
                if (loop.isStuck()) {
                    // Describe the deadlock before cancelling the tasks, so their finally
                    // blocks run (releasing what they hold), main's included.
                    IllegalStateException deadlock = loop.deadlock();
                    loop.cancelLeftovers();
                    loop.reportLostFailures(task);
                    throw deadlock;
                }
                loop.runOnce();
            }
            if (schedule != null) {
                schedule.mainEnded(loop, task);
            }
            loop.cancelLeftovers();
            loop.reportLostFailures(task);
            @SuppressWarnings("unchecked")
            R result = (R) task.outcome();
            return result;
        } finally {
            loop.close();
            CURRENT.remove();
            if (sole == loop) {
                sole = null;
            }
        }
    }

    /** Adds a new task to the loop: it joins the live tasks and the end of the ready queue, still NEW. */
    public void schedule(TaskCore task) {
        if (liveTail == null) {
            live = task;
        } else {
            liveTail.nextLive = task;
        }
        liveTail = task;
        liveCount++;
        // The task stays NEW in the ready queue until its first step, so that cancel() can
        // tell it never started and end it without running its body.
        task.state = TaskCore.NEW;
        ready.add(task);
    }

    /**
     * Cancels every task still pending, oldest first, and runs the loop until they have all
     * ended, as {@code asyncio.run} does. A task that catches the cancellation and parks on
     * something that can never happen is cancelled again.
     */
    private void cancelLeftovers() {
        do {
            cancelLive();
        } while (inbox != null && inbox.close()); // what was posted until the inbox closed may have made tasks
    }

    private void cancelLive() {
        while (liveCount > 0) {
            List<TaskCore> left = new ArrayList<>(liveCount);
            for (TaskCore task = live; task != null; task = task.nextLive) {
                if (task.state != TaskCore.DONE) {
                    left.add(task);
                }
            }
            for (TaskCore task : left) {
                task.cancel();
            }
            while (liveCount > 0 && !isStuck()) {
                runOnce();
            }
        }
    }

    private void reportLostFailures(TaskCore main) {
        for (TaskCore task : failures) {
            if (task != main && (task.flags & TaskCore.RETRIEVED) == 0) {
                lostFailures.add(task.name() + ": " + task.failure());
                ExceptionReports.report(this, "exception of task " + task.name() + " was never retrieved",
                        task.failure(), task);
            }
        }
        failures.clear();
    }

    /** One turn of the loop; see the class comment. */
    public void runOnce() {
        steps++;
        Inbox inbox = this.inbox;
        long timeout;
        if (!ready.isEmpty() || (inbox != null && inbox.hasPending())) {
            timeout = 0;
        } else if (!timers.isEmpty()) {
            timeout = Math.max(0, timers.peek().deadline - now());
        } else if (channelWaiters > 0 || (inbox != null && inbox.outstanding > 0)) {
            timeout = -1;
        } else {
            throw deadlock();
        }
        if (channelWaiters > 0) {
            if (timeout != 0 || ++stepsSinceScan >= CLOSED_CHANNEL_SCAN) {
                stepsSinceScan = 0;
                wakeWaitersOfClosedChannels();
                if (timeout != 0 && !ready.isEmpty()) {
                    timeout = 0;
                }
            }
            select(timeout);
        } else if (timeout > 0) {
            clock.idle(timeout);
        } else if (timeout < 0) {
            LockSupport.park(this); // only another thread's post can wake a task (Inbox)
        }
        if (inbox != null) {
            inbox.runPending();
        }
        int made = ready.size();
        if (!timers.isEmpty()) {
            long now = now();
            while (!timers.isEmpty() && timers.peek().deadline <= now) {
                timers.poll().expire(this);
            }
        }
        Schedule schedule = this.schedule;
        if (schedule != null) {
            ready.reorder(made, schedule);
            schedule.beforeRun(this);
        }
        for (int n = ready.size(); n > 0; n--) {
            TaskCore task = ready.poll();
            if (task.state == TaskCore.READY || task.state == TaskCore.NEW) {
                step(task);
            }
        }
    }

    /** Whether no task is ready and none can ever wake up: no timer, no channel wait, nothing from another thread to come. */
    boolean isStuck() {
        // The one place the simulated network looks for channels the program closed directly
        // (their end of stream, the readers parked on them): both loops that call runOnce ask
        // this first, with nothing run in between, so a scan in runOnce too would repeat it.
        if (network != null && ready.isEmpty()) {
            network.noticeClosed(this);
        }
        return ready.isEmpty() && timers.isEmpty() && channelWaiters == 0 && (inbox == null || inbox.isIdle());
    }

    /** The deadlock report: a headline, then every task as {@link TaskTree} draws it; call before cancelling them. */
    private IllegalStateException deadlock() {
        return new IllegalStateException("deadlock: no task is ready and none can ever wake up (no timer, no channel); "
                + TaskTree.deadlockReport(liveTasks()));
    }

    /**
     * The number of tasks ready to run (in this step or the next); for test tools that wait
     * until every other task has parked. Must be called on the loop's thread.
     *
     * @return how many tasks the ready queue holds
     */
    public int readyCount() {
        return ready.size();
    }

    /**
     * The number of steps this loop has begun; for test tools that bound a test's steps.
     *
     * @return the steps begun so far
     */
    public long steps() {
        return steps;
    }

    /** This loop's time source. */
    public Clock clock() {
        return clock;
    }

    /** The tasks that have not ended, oldest first: a new list. Must be called on the loop's thread. */
    public List<TaskCore> liveTasks() {
        List<TaskCore> tasks = new ArrayList<>(liveCount);
        for (TaskCore task = live; task != null; task = task.nextLive) {
            if (task.state != TaskCore.DONE) {
                tasks.add(task);
            }
        }
        return tasks;
    }

    /**
     * What is left in the loop: tasks not ended, timers, channel waits, and failures of tasks
     * that nobody awaited; empty when nothing is. For tests and diagnostics: after a clean
     * {@code run} it is empty.
     *
     * @return a description of what is left, or {@code ""}
     */
    public String leftovers() {
        StringBuilder out = new StringBuilder();
        if (liveCount != 0) {
            out.append(liveCount).append(" tasks not ended: ").append(describeLive()).append("; ");
        }
        if (!timers.isEmpty()) {
            out.append(timers.size()).append(" timers; ");
        }
        if (channelWaiters != 0) {
            out.append(channelWaiters).append(" channel waits; ");
        }
        if (!lostFailures.isEmpty()) {
            out.append("failures never retrieved: ").append(lostFailures).append("; ");
        }
        return out.toString();
    }

    private String describeLive() {
        StringBuilder out = new StringBuilder();
        for (TaskCore task = live; task != null; task = task.nextLive) {
            if (task.state == TaskCore.DONE) {
                continue;
            }
            out.append(out.length() == 0 ? "" : ", ").append(task);
            TaskCore awaited = TaskCore.awaited(task);
            if (awaited != null) {
                out.append(" awaiting ").append(awaited.name());
            }
        }
        return out.toString();
    }

    /** Waits for channels (at most {@code timeoutNanos}; for ever when negative) and wakes their tasks. */
    private void select(long timeoutNanos) {
        try {
            if (timeoutNanos == 0) {
                selector.selectNow(onReadyKey);
            } else if (timeoutNanos < 0) {
                selector.select(onReadyKey);
            } else {
                selector.select(onReadyKey, Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
    }

    /**
     * Wakes the tasks waiting on a channel that was closed meanwhile (by another task, most
     * likely): closing cancels the channel's key, so {@code select} would never report it and
     * they would wait for ever. Woken, they retry and get the {@code ClosedChannelException}.
     * Must run before {@code select}, which forgets cancelled keys.
     */
    private void wakeWaitersOfClosedChannels() {
        for (SelectionKey key : selector.keys()) {
            if (!key.isValid() && key.attachment() instanceof ChannelWait) {
                ((ChannelWait) key.attachment()).ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }
    }

    /** Runs {@code task} until it parks again or ends: the driver (see the class comment). */
    private void step(TaskCore task) {
        current = task;
        task.state = TaskCore.RUNNING;
        if (task.waitSite != null) {
            task.waitSite = null;
        }
        Object value = task.value;
        Throwable failure = null;
        if (value != null) {
            if ((task.flags & TaskCore.FAILS) != 0) {
                failure = (Throwable) value;
                value = null;
                task.flags &= ~TaskCore.FAILS;
            }
            task.value = null;
        }
        // top stays as it is while the task runs (one store less per step): the next park
        // sets it (Coroutines.parked), the end of the task clears it.
        Object start = task.top;
        Frame frame = start instanceof Frame ? (Frame) start : null;
        if (failure instanceof ScopeCancellation && frame != null) {
            // It has no Java stack (see there): its trace starts where it is thrown in, the park
            AsyncStackTrace.addCaller(failure, frame);
        }
        try {
            for (;;) {
                Object result = null;
                Throwable thrown = null;
                boolean slotWasFree = task.resumer == null;
                try {
                    if (frame == null) {
                        Object body = start;
                        start = null;
                        if (body instanceof AsyncCallable) {
                            result = ((AsyncCallable<?>) body).call();
                        } else {
                            ((AsyncRunnable) body).run();
                        }
                    } else {
                        resumeFrame = frame;
                        resumeValue = value;
                        resumeFailure = failure;
                        result = frame.resumer.resume(frame);
                    }
                } catch (Throwable e) {
                    thrown = e;
                }
                if (resumeFrame != null) {
                    resumeFrame = null; // not consumed: a primitive's resumer does not ask for it
                }
                resumeValue = null;
                resumeFailure = null;
                if (parking) {
                    boolean spilled = lastSpilled != null;
                    parking = false;
                    lastSpilled = null;
                    if (thrown == null && spilled) {
                        parked(task);
                        return;
                    }
                    // The suspension was not caught by woven code: the task cannot resume, so
                    // whatever it parked on must forget it (a dead task handed a lock would
                    // keep it for ever), and the task's frame slot, if the abandoned unwinding
                    // took it, is free again.
                    task.top = null;
                    if (slotWasFree) {
                        task.clearSlot();
                    }
                    abandonWait(task);
                    if (thrown == null) {
                        thrown = new IllegalStateException("task " + task.name() + " parked, but no woven method "
                                + "caught the suspension: its body was not woven. Run with -javaagent:jasyncio-agent.jar "
                                + "or weave the classes with jasyncio-maven-plugin");
                    }
                }
                Frame caller = null;
                if (frame != null) {
                    caller = frame.caller;
                    if (frame == task) {
                        task.clearSlot(); // its method returned: the slot is free for the next one
                    }
                }
                if (caller == null) {
                    finish(task, result, thrown);
                    return;
                }
                if (thrown != null) {
                    AsyncStackTrace.addCaller(thrown, caller);
                }
                frame = caller;
                value = result;
                failure = thrown;
            }
        } finally {
            current = null;
        }
    }

    /** Makes the site a task parked on forget it, as for a cancel; the task will not resume. */
    void abandonWait(TaskCore task) {
        WaitSite site = task.waitSite;
        task.waitSite = null;
        if (site != null) {
            site.cancelWait(task);
        }
    }

    private void parked(TaskCore task) {
        if (task.state == TaskCore.RUNNING) {
            task.state = TaskCore.PARKED;
        }
        byte pending = (byte) (task.flags & (TaskCore.CANCEL_PENDING | TaskCore.SCOPE_PENDING));
        if (pending != 0) {
            task.flags &= ~pending;
            if ((pending & TaskCore.CANCEL_PENDING) != 0) {
                cancelParked(task);
            }
            if ((pending & TaskCore.SCOPE_PENDING) != 0) {
                CancelScope.deliver(task);
            }
        }
    }

    /** Ends {@code task} with an outcome and wakes its awaiters. */
    void finish(TaskCore task, Object result, Throwable failure) {
        task.state = TaskCore.DONE;
        task.top = null;
        task.clearSlot();
        byte flags = (byte) (task.flags & ~(TaskCore.CANCEL_PENDING | TaskCore.SCOPE_PENDING | TaskCore.FAILS));
        if (failure == null) {
            task.value = result;
        } else {
            task.value = failure;
            flags |= TaskCore.FAILS;
            if (failure instanceof CancellationException) {
                flags |= TaskCore.CANCELLED;
            } else {
                addFailure(task);
            }
        }
        task.flags = flags;
        liveCount--;
        endedLinked++;
        trimLive();
        if (endedLinked > (liveCount >> 1) + 1024) { // ended tasks kept linked: at most half the live ones, plus a few
            sweepLive();
        }
        task.wakeWaiters();
    }

    /**
     * Remembers a failed task until the loop closes, unless its outcome is retrieved; those
     * retrieved are dropped now and then, so that a long-lived loop does not keep every failed
     * task it ever had.
     */
    private void addFailure(TaskCore task) {
        failures.add(task);
        if (failures.size() >= failuresPruneAt) {
            failures.removeIf(failed -> (failed.flags & TaskCore.RETRIEVED) != 0);
            failuresPruneAt = Math.max(1024, 2 * failures.size());
        }
    }

    /**
     * Drops the tasks that ended at the head of the list of live tasks and right after it: tasks
     * mostly end in the order they were made, the oldest (often main) living on, so this O(1)
     * step usually keeps the list clean without a {@link #sweepLive} (which visits every task,
     * a cache miss each when there are a million).
     */
    private void trimLive() {
        TaskCore head = live;
        while (head != null && head.state == TaskCore.DONE) {
            TaskCore next = head.nextLive;
            head.nextLive = null;
            head = next;
            endedLinked--;
        }
        live = head;
        if (head == null) {
            liveTail = null;
            return;
        }
        TaskCore next;
        while ((next = head.nextLive) != null && next.state == TaskCore.DONE) {
            head.nextLive = next.nextLive;
            next.nextLive = null;
            endedLinked--;
            if (liveTail == next) {
                liveTail = head;
            }
        }
    }

    /** Drops every task that ended from the list of live tasks; O(1) per task ended, amortised. */
    private void sweepLive() {
        TaskCore last = null;
        for (TaskCore task = live; task != null; ) {
            TaskCore next = task.nextLive;
            if (task.state == TaskCore.DONE) {
                task.nextLive = null;
            } else {
                if (last == null) {
                    live = task;
                } else {
                    last.nextLive = task;
                }
                last = task;
            }
            task = next;
        }
        if (last == null) {
            live = null;
        }
        liveTail = last;
        endedLinked = 0;
    }

    // ------------------------------------------------------------------ parking and waking

    /**
     * Parks {@code task} (the current one) on {@code site}. {@code frame} is a primitive's own
     * frame, resumed before the caller's; null when the primitive has nothing to do on resume.
     * The caller must return right after.
     */
    public void suspend(TaskCore task, WaitSite site, Frame frame) {
        task.waitSite = site;
        parking = true;
        lastSpilled = frame;
        if (frame != null) {
            task.top = frame;
        }
    }

    /**
     * A frame for a runtime primitive that parks {@code task} and must run again when it
     * resumes: the task's own frame slot when it is free, a new frame otherwise.
     */
    static Frame primitiveFrame(TaskCore task, Resumer resumer, Object[] refs) {
        if (task.resumer == null) {
            task.resumer = resumer;
            task.refs = refs;
            return task;
        }
        return new Frame(resumer, refs);
    }

    /** Makes a parked task ready to resume with {@code value} or {@code failure}. */
    public void wake(TaskCore task, Object value, Throwable failure) {
        if (failure == null) {
            wake(task, value);
        } else {
            wakeFailing(task, failure);
        }
    }

    /** Makes a parked task ready; its suspending call returns {@code value}. */
    void wake(TaskCore task, Object value) {
        byte state = task.state;
        if (state == TaskCore.DONE) {
            return;
        }
        task.value = value;
        task.flags &= ~TaskCore.FAILS;
        if (state != TaskCore.READY) {
            task.state = TaskCore.READY;
            ready.add(task);
        }
    }

    /** Makes a parked task ready; its suspending call throws {@code failure}. */
    void wakeFailing(TaskCore task, Throwable failure) {
        byte state = task.state;
        if (state == TaskCore.DONE) {
            return;
        }
        task.value = failure;
        task.flags |= TaskCore.FAILS;
        if (state != TaskCore.READY) {
            task.state = TaskCore.READY;
            ready.add(task);
        }
    }

    /** Cancels a task that is parked, or woken and not yet run; a shield may defer it (see {@link CancelScope}). */
    void cancelParked(TaskCore task) {
        if (task.scope() != null && CancelScope.defersCancel(task)) {
            return;
        }
        abandonWait(task);
        wakeFailing(task, new CancellationException("Task " + task.name() + " was cancelled"));
        if (task.scope() != null) {
            CancelScope.cancelChildren(task, null);
        }
    }

    // ------------------------------------------------------------------ primitives

    private static final WaitSite TIMER = new WaitSite() {
        @Override
        public void cancelWait(TaskCore task) {
            task.loop.timers.remove(task);
        }

        @Override
        public String describe(TaskCore task) {
            return Introspection.timeLeft("sleep", task.loop, task.deadline);
        }
    };

    /** {@code Asyncio.sleep}: parks the current task for {@code nanos}. */
    public void sleep(long nanos) {
        TaskCore task = current;
        if (nanos == 0) {
            // suspend(task, null, null) without its stores: a running task has no wait site,
            // and nothing has spilled yet when a primitive parks
            parking = true;
            task.state = TaskCore.READY;
            ready.add(task);
            return;
        }
        task.deadline = now() + nanos;
        task.sequence = timerSequence++;
        timers.add(task);
        suspend(task, TIMER, null);
    }

    /** Schedules {@code entry} to expire after {@code nanos}. */
    public void addTimer(TimerEntry entry, long nanos) {
        addTimerAt(entry, now() + nanos);
    }

    /** Schedules {@code entry} to expire at {@code deadline} of this loop's clock. */
    void addTimerAt(TimerEntry entry, long deadline) {
        entry.deadline = deadline;
        entry.sequence = timerSequence++;
        timers.add(entry);
    }

    public boolean removeTimer(TimerEntry entry) {
        return timers.remove(entry);
    }

    /**
     * Makes {@code simulator} carry this loop's datagrams from now on, instead of the kernel;
     * call it before the first task runs. The simulator is released when the loop closes, its
     * deliveries still in flight dropped.
     *
     * @throws IllegalStateException when the loop already has a network, or {@code simulator} serves a running loop
     */
    public void useNetwork(NetworkSimulator simulator) {
        checkThread("EventLoop.useNetwork");
        if (network != null) {
            throw new IllegalStateException("this loop already runs on a simulated network");
        }
        simulator.attach(this);
        network = simulator;
    }

    /** The simulated network this loop runs on ({@link #useNetwork}), or null when it uses real sockets. */
    public NetworkSimulator network() {
        return network;
    }

    /** {@code Asyncio.receive}: the datagram now, or parks until one can be read. */
    public SocketAddress receive(DatagramChannel channel, ByteBuffer dst) throws IOException {
        if (network != null) {
            return network.receive(this, channel, dst);
        }
        if (channel.isBlocking()) {
            channel.configureBlocking(false);
        }
        ChannelWait wait = channelWait(channel);
        if (!wait.guessEmpty) {
            SocketAddress sender = channel.receive(dst);
            if (sender != null) {
                return sender;
            }
            wait.guessEmpty = true;
        }
        Object[] refs = wait.readRefs;
        refs[1] = dst;
        wait.readParkedAt = steps;
        awaitChannel(wait, SelectionKey.OP_READ, primitiveFrame(current, RECEIVE, refs));
        return null;
    }

    private static final Resumer RECEIVE = frame -> {
        if (frame == null) {
            return null; // asked to describe itself (AsyncStackTrace): a primitive has no source lines
        }
        EventLoop loop = EventLoop.current();
        Coroutines.resumeValue(loop);
        DatagramChannel channel = (DatagramChannel) frame.refs[0];
        ChannelWait wait = (ChannelWait) frame.refs[2];
        if (loop.steps - wait.readParkedAt <= 1) {
            wait.guessEmpty = false; // ready at the very next select: trying first would have paid
        }
        SocketAddress sender = channel.receive((ByteBuffer) frame.refs[1]);
        if (sender == null) {
            wait.readParkedAt = loop.steps;
            loop.awaitChannel(wait, SelectionKey.OP_READ, frame);
        } else {
            frame.refs[1] = null;
        }
        return sender;
    };

    /** {@code Asyncio.send}: sends the datagram now, or parks until the channel can take it. */
    public void send(DatagramChannel channel, ByteBuffer src, SocketAddress target) throws IOException {
        if (network != null) {
            network.send(channel, src, target);
            return;
        }
        if (channel.isBlocking()) {
            channel.configureBlocking(false);
        }
        if (channel.send(src, target) > 0 || !src.hasRemaining()) {
            return;
        }
        ChannelWait wait = channelWait(channel);
        Object[] refs = wait.writeRefs;
        refs[1] = src;
        refs[2] = target;
        awaitChannel(wait, SelectionKey.OP_WRITE, primitiveFrame(current, SEND, refs));
    }

    private static final Resumer SEND = frame -> {
        if (frame == null) {
            return null; // asked to describe itself (AsyncStackTrace): a primitive has no source lines
        }
        EventLoop loop = EventLoop.current();
        Coroutines.resumeValue(loop);
        DatagramChannel channel = (DatagramChannel) frame.refs[0];
        ByteBuffer src = (ByteBuffer) frame.refs[1];
        if (channel.send(src, (SocketAddress) frame.refs[2]) == 0 && src.hasRemaining()) {
            loop.awaitChannel(loop.channelWait(channel), SelectionKey.OP_WRITE, frame);
        } else {
            frame.refs[1] = null;
            frame.refs[2] = null;
        }
        return null;
    };

    /** Parks the current task until {@code channel} is ready for {@code operation}. */
    public void awaitChannel(SelectableChannel channel, int operation, Frame frame) throws IOException {
        awaitChannel(channelWait(channel), operation, frame);
    }

    void awaitChannel(ChannelWait wait, int operation, Frame frame) {
        TaskCore task = current;
        wait.park(task, operation);
        suspend(task, wait, frame);
    }

    /** The channel's registration with this loop's selector, made on first use. */
    ChannelWait channelWait(SelectableChannel channel) throws IOException {
        if (selector != null) {
            SelectionKey key = channel.keyFor(selector);
            if (key != null) {
                return (ChannelWait) key.attachment(); // registered, so the clock is real: checked below, once
            }
        }
        if (clock.isVirtual()) {
            throw realIoRefused(channel);
        }
        if (selector == null) {
            selector = Selector.open();
        }
        ChannelWait wait = new ChannelWait(this, channel);
        wait.key = channel.register(selector, 0, wait);
        return wait;
    }

    /** The error of a task about to wait for real I/O on a loop in virtual time. */
    IllegalStateException realIoRefused(SelectableChannel channel) {
        return new IllegalStateException("cannot wait for real I/O on " + Introspection.describeChannel(channel)
                + (network != null
                        ? ": the loop runs on a SimulatedNetwork, which simulates only UDP and TCP through "
                                + "Asyncio's socket calls and the streams"
                        : ": the loop runs on a virtual clock, which would jump past real events")
                + "; run real I/O with Asyncio.run" + (network != null ? ""
                        : " (in a test, @AsyncTest(virtualTime = false)), or UDP and TCP on a simulated network"
                                + " (SimulatedNetwork; in a test, @AsyncTest(simulatedNetwork = true))"));
    }

    /**
     * The error of {@code task} trying to {@code what} ({@code read}, {@code write},
     * {@code accept on}) {@code channel} (a real channel, or a simulated one's description) that
     * {@code other} is already waiting to use that way: one message for the real and the
     * simulated paths.
     */
    static IllegalStateException busy(TaskCore task, TaskCore other, String what, Object channel) {
        return new IllegalStateException("task " + task.name() + " cannot " + what + " " + channel
                + ": task " + other.name() + " is already waiting to " + what + " it; two tasks at once would "
                + (what.equals("read") ? "steal each other's data"
                        : what.equals("accept on") ? "steal each other's connections" : "interleave their bytes")
                + ": guard it with a Lock");
    }

    /**
     * The tasks parked on one channel: at most one reader and one writer, as a second one
     * could only steal the first one's data. It keeps the arrays that a parked {@code receive}
     * and {@code send} spill their arguments into, so that parking allocates nothing. Accepting
     * counts as reading and connecting as writing ({@link #READ_SIDE}, {@link #WRITE_SIDE}).
     */
    static final class ChannelWait implements WaitSite {
        static final int READ_SIDE = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
        static final int WRITE_SIDE = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;
        private final EventLoop loop;
        SelectionKey key;
        /** The operations the key is interested in, as last set; dropped lazily, see the class comment of EventLoop. */
        private int interest;
        private TaskCore reader;
        private TaskCore writer;
        /** {channel, buffer, this} of a parked receive; {channel, buffer, target} of a parked send. */
        final Object[] readRefs;
        final Object[] writeRefs;
        /**
         * The guess that a read would find nothing now: set when a receive tried first and
         * missed, cleared when a task parked in receive was woken at the very next select (the
         * data came at once, so trying first would have paid). While it is set, receive parks
         * without trying: in a request-reply exchange over one loop the reply cannot have come
         * yet, and a failed read is a system call as dear as the select that follows.
         */
        boolean guessEmpty;
        /** The loop step in which the reader last parked. */
        long readParkedAt;
        /**
         * The task inside a TCP read or accept (writing: write or connect) of this channel, from
         * its first park until the call returns, woken or not; see {@link SocketIo}.
         */
        TaskCore reading;
        TaskCore writing;

        ChannelWait(EventLoop loop, SelectableChannel channel) {
            this.loop = loop;
            this.readRefs = new Object[] {channel, null, this};
            this.writeRefs = new Object[] {channel, null, null};
        }

        void park(TaskCore task, int operation) {
            if ((operation & READ_SIDE) != 0) {
                if (reader != null && reader != task) {
                    throw busy(task, reader, "read");
                }
                reader = task;
            } else {
                if (writer != null && writer != task) {
                    throw busy(task, writer, "write");
                }
                writer = task;
            }
            loop.channelWaiters++;
            if ((interest & operation) == 0) {
                interest |= operation;
                key.interestOps(interest);
            }
        }

        /** The error of {@code task} trying to {@code what} a channel that {@code other} is busy with. */
        IllegalStateException busy(TaskCore task, TaskCore other, String what) {
            return EventLoop.busy(task, other, what, key.channel());
        }

        void ready(int readyOps) {
            int unwanted = 0;
            if ((readyOps & READ_SIDE) != 0) {
                if (reader != null) {
                    TaskCore task = reader;
                    release(task);
                    loop.wake(task, null);
                } else {
                    unwanted |= readyOps & READ_SIDE;
                }
            }
            if ((readyOps & WRITE_SIDE) != 0) {
                if (writer != null) {
                    TaskCore task = writer;
                    release(task);
                    loop.wake(task, null);
                } else {
                    unwanted |= readyOps & WRITE_SIDE;
                }
            }
            if ((interest & unwanted) != 0) {
                interest &= ~unwanted;
                try {
                    key.interestOps(interest);
                } catch (RuntimeException closed) {
                    // the channel was closed meanwhile; nothing to watch any more
                }
            }
        }

        /**
         * Drops the interest in {@code operation} now rather than lazily: a connected channel
         * never reports {@code OP_CONNECT}, so that interest would make {@code select} spin.
         */
        void forget(int operation) {
            if ((interest & operation) != 0) {
                interest &= ~operation;
                key.interestOps(interest);
            }
        }

        /** Forgets {@code task}; the key's interest stays until select finds nobody waiting. */
        private void release(TaskCore task) {
            boolean was = false;
            if (reader == task) {
                reader = null;
                was = true;
            }
            if (writer == task) {
                writer = null;
                was = true;
            }
            if (was) {
                loop.channelWaiters--;
            }
        }

        @Override
        public void cancelWait(TaskCore task) {
            release(task);
        }

        /** {@code read on DatagramChannel /127.0.0.1:5000}; {@code accept on}, {@code connect on} for TCP's. */
        @Override
        public String describe(TaskCore task) {
            SelectableChannel channel = key.channel();
            String operation;
            if (reader == task) {
                operation = channel instanceof ServerSocketChannel ? "accept on " : "read on ";
            } else {
                operation = channel instanceof SocketChannel && ((SocketChannel) channel).isConnectionPending()
                        ? "connect on " : "write on ";
            }
            return operation + Introspection.describeChannel(channel);
        }
    }

    private void close() {
        closed = true;
        if (network != null) {
            network.detach(this);
        }
        if (inbox != null) {
            inbox.shutdown();
        }
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException | ClosedSelectorException ignored) {
                // nothing left to release
            }
        }
    }
}
