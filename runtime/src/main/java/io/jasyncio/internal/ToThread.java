package io.jasyncio.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;

/**
 * The machinery of {@code Asyncio.toThread}: one job runs a blocking {@link Callable} on an
 * executor's thread while the calling task parks on it; the job's end is posted to the loop's
 * {@link Inbox}, which wakes the task with the result or the failure.
 *
 * <h2>Cancellation: interrupt, then wait</h2>
 * A task cancelled while its job has not started yet resumes at once, and the job never runs
 * the callable. Once the callable runs, the cancel interrupts its thread and the task stays
 * parked until the callable has returned or thrown; only then does the task get its
 * {@code CancellationException} (with the callable's failure, other than an
 * {@code InterruptedException}, suppressed in it). So no blocking work outlives the task that
 * asked for it: the task's {@code finally} blocks may release what the callable used, and
 * {@code Asyncio.run} does not return while a callable of one of its tasks still runs (like
 * asyncio's, which waits for its default executor). Rejected: resuming the task at once and
 * leaving the callable running unseen (asyncio's {@code to_thread}), which makes timeouts
 * prompt but leaks the work past its owner. A callable that ignores interrupts delays the
 * cancel until it returns.
 *
 * <h2>The job's states</h2>
 * <pre>
 *   NEW --worker starts--> RUNNING --callable ends--> DONE --post--> the task resumes
 *    |                        | cancel: interrupt the worker
 *    | cancel                 v
 *    v                    INTERRUPTING --interrupt sent--> INTERRUPTED --callable ends--> DONE
 *   SKIPPED (the worker will do nothing; the task resumes at once)
 * </pre>
 * The worker clears the interrupt it was sent before it returns its thread to the executor, and
 * waits for an interrupt being sent to finish, so that it never reaches the executor's next job.
 */
public final class ToThread implements Runnable, WaitSite {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;
    private static final int DONE = 4;
    private static final int SKIPPED = 5;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ToThread.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int WAITING = 1;
    private static final Resumer TO_THREAD = frame -> frame == null ? null : ((ToThread) frame.refs[0]).resumed();

    private final EventLoop loop;
    /** The loop's inbox, made before the job is handed to the executor. */
    private final Inbox inbox;
    private final TaskCore waiter;
    private final Callable<?> work;
    /** See the states in the class comment; written by both threads. */
    private volatile int state;
    /** The worker thread while the callable runs; read by the cancel to interrupt it. */
    private volatile Thread runner;
    /** The callable's outcome; written by the worker before it posts, read on the loop after. */
    private Object result;
    private Throwable failure;

    // ---- loop thread only
    /** Whether the callable will not run any more (it ended, or never started): the task may go on. */
    private boolean ended;
    /** Whether the task is parked here and nothing has woken it yet. */
    private boolean waiterParked;
    /** The task's cancellation, thrown once the callable has ended. */
    private CancellationException cancelled;

    private ToThread(EventLoop loop, TaskCore waiter, Callable<?> work) {
        this.loop = loop;
        this.inbox = loop.inbox();
        this.waiter = waiter;
        this.work = work;
    }

    /**
     * Runs {@code work} on {@code executor} (the loop's default one when null) and parks the
     * calling task until it has ended: a hand-woven suspending call.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @return nothing useful: the task always parks, and resumes with the callable's outcome
     * @throws java.util.concurrent.RejectedExecutionException as the executor throws it, before parking
     */
    public static Object toThread(EventLoop loop, Callable<?> work, Executor executor) {
        ToThread job = new ToThread(loop, loop.currentTask("Asyncio.toThread"), work);
        (executor != null ? executor : job.inbox.defaultExecutor()).execute(job);
        job.inbox.outstanding++;
        job.park(null);
        return null;
    }

    private void park(Frame reuse) {
        waiterParked = true;
        loop.suspend(waiter, this, null);
        PrimitiveFrames.spill(loop, reuse, TO_THREAD, WAITING, this);
    }

    /** On the worker thread. */
    @Override
    public void run() {
        runner = Thread.currentThread();
        if (!STATE.compareAndSet(this, NEW, RUNNING)) {
            runner = null;
            return; // cancelled before it started: nobody waits for it
        }
        try {
            result = work.call();
        } catch (Throwable e) {
            failure = e;
        }
        if (!STATE.compareAndSet(this, RUNNING, DONE)) {
            while (state == INTERRUPTING) {
                Thread.onSpinWait();
            }
            Thread.interrupted(); // ours: it must not reach the executor's next job
            state = DONE;
        }
        runner = null;
        inbox.post(this::ended); // dropped only if the loop is gone, and then nobody waits
    }

    /** On the loop thread: the callable has ended. */
    private void ended() {
        ended = true;
        inbox.outstanding--;
        if (waiterParked) {
            waiterParked = false;
            loop.wake(waiter, null, null);
        }
    }

    /** The task resumes: the callable ended, or the task was cancelled. */
    private Object resumed() {
        EventLoop entered = Coroutines.enter("io.jasyncio.Asyncio.toThread");
        Frame frame = Coroutines.resumeFrame(entered);
        try {
            Coroutines.resumeValue(entered);
        } catch (CancellationException e) {
            if (cancelled == null) {
                cancelled = e;
            }
        }
        if (!ended) {
            park(frame); // cancelled while the callable runs: wait for it to end
            return null;
        }
        if (cancelled != null) {
            if (failure != null && !(failure instanceof InterruptedException)) {
                cancelled.addSuppressed(failure);
            }
            throw cancelled;
        }
        if (failure != null) {
            throw Coroutines.<RuntimeException>sneakyThrow(TaskCore.reported(failure));
        }
        return result;
    }

    /** The task was cancelled while parked here (or after it was woken, before it ran). */
    @Override
    public void cancelWait(TaskCore task) {
        waiterParked = false;
        for (;;) {
            int now = state;
            if (now == NEW) {
                if (STATE.compareAndSet(this, NEW, SKIPPED)) {
                    ended = true;
                    inbox.outstanding--;
                    return;
                }
            } else if (now == RUNNING) {
                if (STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
                    Thread thread = runner;
                    if (thread != null) {
                        thread.interrupt();
                    }
                    state = INTERRUPTED;
                    return;
                }
            } else {
                return; // ended, or interrupted already
            }
        }
    }

    /**
     * What a task parked here waits for, for diagnostics; the wording of the other wait sites
     * ({@code WaitSite.describe} where introspection defines it).
     */
    @Override
    public String describe(TaskCore task) {
        return ended ? "toThread, work ended" : cancelled != null ? "toThread, work interrupted, not ended yet"
                : "toThread, work on another thread";
    }

    @Override
    public String toString() {
        return "toThread(" + work + ")";
    }
}
