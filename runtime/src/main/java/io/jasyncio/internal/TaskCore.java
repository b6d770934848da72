package io.jasyncio.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The machinery of a task, kept out of the public {@link io.jasyncio.Task}. The states and
 * their transitions are drawn on {@code Task}.
 *
 * <p>A task is its own timer entry for {@code sleep} and its own node in the loop's list of
 * live tasks, so a parked task costs this object and its frames, nothing else.
 */
public abstract class TaskCore extends TimerEntry {
    static final byte NEW = 0;
    static final byte READY = 1;
    static final byte RUNNING = 2;
    static final byte PARKED = 3;
    static final byte DONE = 4;

    final EventLoop loop;
    final int id;
    private String name;
    byte state = NEW;
    /** Set when cancel() arrived while the task was running; delivered when it next parks. */
    boolean cancelPending;
    /** True once the task ended by a CancellationException. */
    boolean cancelled;
    /** True once someone retrieved the outcome (await, result), so a failure was not lost. */
    boolean retrieved;
    /**
     * The body (an AsyncCallable or AsyncRunnable) until the first step, then, while parked,
     * the innermost parked frame; null while running. One field for both: a task never needs
     * both at once, and a parked task is the common case worth every word.
     */
    Object top;
    /** What the task waits on while PARKED, and after it was woken until it runs. */
    WaitSite waitSite;
    /** The value or failure the task resumes with at its next step. */
    Object resumeValue;
    Throwable resumeFailure;
    /** The outcome once DONE. */
    Object result;
    Throwable failure;
    /** Tasks awaiting this one: null, one TaskCore, or a List of them. */
    private Object waiters;
    /**
     * Neighbours in the {@link WaitQueue} the task is parked in, first-in first-out; null when
     * not queued or at an end (the queue knows its head, so membership needs no back pointer).
     */
    TaskCore queuePrevious;
    TaskCore queueNext;
    /** The loop's doubly linked list of tasks that have not ended. */
    TaskCore previousLive;
    TaskCore nextLive;

    protected TaskCore(EventLoop loop, Object body, String name) {
        this.loop = loop;
        this.top = body;
        this.id = loop.nextTaskId();
        this.name = name;
    }

    /** The task's name: the one given, or {@code Task-N}. */
    public final String name() {
        if (name == null) {
            name = "Task-" + id;
        }
        return name;
    }

    /** Whether the task has ended (normally, by an exception, or cancelled), without parking. */
    public final boolean isDone() {
        return state == DONE;
    }

    /** Whether the task has ended cancelled, without parking. */
    public final boolean isCancelled() {
        return state == DONE && cancelled;
    }

    /**
     * Asks the task to stop. A task that has not started never starts. A parked task is resumed
     * with a {@code CancellationException} thrown from the suspending call where it is parked,
     * so its {@code catch} and {@code finally} blocks run. A running task (one cancelling itself)
     * gets it at its next suspension point. Must be called on the loop's thread.
     *
     * @return {@code false} if the task had already ended, {@code true} otherwise
     */
    public final boolean cancel() {
        loop.checkThread("Task.cancel");
        switch (state) {
            case DONE:
                return false;
            case NEW:
                top = null;
                loop.finish(this, null, new CancellationException("Task " + name() + " was cancelled before it started"));
                return true;
            case RUNNING:
                cancelPending = true;
                return true;
            default:
                loop.cancelParked(this);
                return true;
        }
    }

    /** The outcome as {@code await} reports it; the task must be done. */
    final Object outcome() {
        retrieved = true;
        if (failure == null) {
            return result;
        }
        throw Coroutines.<RuntimeException>sneakyThrow(reported(failure));
    }

    /** A failure as {@code await} and {@code run} throw it. */
    static Throwable reported(Throwable failure) {
        if (failure instanceof RuntimeException || failure instanceof Error) {
            return failure;
        }
        return new CompletionException(failure);
    }

    /** See {@link io.jasyncio.Task#result()}. */
    protected final Object resultNow() {
        if (state != DONE) {
            throw new IllegalStateException("Task " + name() + " has not ended yet");
        }
        return outcome();
    }

    /** See {@link io.jasyncio.Task#await()}: the primitive behind it. */
    protected final Object awaitTask() {
        EventLoop caller = Coroutines.enter("io.jasyncio.Task.await");
        if (state == DONE) {
            return outcome();
        }
        if (caller != loop) {
            throw new IllegalStateException("Task " + name() + " belongs to another event loop");
        }
        TaskCore self = caller.current;
        if (self == this) {
            throw new IllegalStateException("Task " + name() + " cannot await itself");
        }
        addWaiter(self);
        caller.suspend(self, AWAITED, null);
        return null;
    }

    private static final WaitSite AWAITED = task -> {
        // The awaited task is found through the waiter's resume path; removing it is a scan
        // of (usually) one waiter.
        task.loop.forgetAwaiter(task);
    };

    private void addWaiter(TaskCore waiter) {
        waiter.awaiting = this;
        if (waiters == null) {
            waiters = waiter;
        } else if (waiters instanceof TaskCore) {
            List<TaskCore> list = new ArrayList<>(4);
            list.add((TaskCore) waiters);
            list.add(waiter);
            waiters = list;
        } else {
            @SuppressWarnings("unchecked")
            List<TaskCore> list = (List<TaskCore>) waiters;
            list.add(waiter);
        }
    }

    /** The task this one awaits while parked in await. */
    TaskCore awaiting;

    final void removeWaiter(TaskCore waiter) {
        if (waiters == waiter) {
            waiters = null;
        } else if (waiters instanceof List) {
            ((List<?>) waiters).remove(waiter);
        }
    }

    /** Wakes every awaiter with this task's outcome; the task has just ended. */
    final void wakeWaiters() {
        Object all = waiters;
        waiters = null;
        if (all == null) {
            return;
        }
        if (all instanceof TaskCore) {
            wakeWaiter((TaskCore) all);
        } else {
            @SuppressWarnings("unchecked")
            List<TaskCore> list = (List<TaskCore>) all;
            for (TaskCore waiter : list) {
                wakeWaiter(waiter);
            }
        }
    }

    private void wakeWaiter(TaskCore waiter) {
        retrieved = true;
        waiter.awaiting = null;
        if (failure == null) {
            loop.wake(waiter, result, null);
        } else {
            loop.wake(waiter, null, reported(failure));
        }
    }

    @Override
    protected final void expire(EventLoop expiring) {
        expiring.wake(this, null, null);
    }

    @Override
    public String toString() {
        String what;
        switch (state) {
            case NEW: what = "pending, not started"; break;
            case READY: what = "ready"; break;
            case RUNNING: what = "running"; break;
            case PARKED: what = "parked"; break;
            default: what = cancelled ? "cancelled" : failure != null ? "failed: " + failure : "done";
        }
        return "Task[" + name() + ", " + what + "]";
    }
}
