package io.jasyncio.internal;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The machinery of a task, kept out of the public {@link io.jasyncio.Task}. The states and
 * their transitions are drawn on {@code Task}.
 *
 * <h2>Why so few fields</h2>
 * A million parked tasks are the case worth every word: a task parked one call deep in
 * {@code sleep} costs this one object (88 bytes with compressed references) and its slot in
 * the timer heap, nothing else. To get there:
 * <ul>
 * <li>the task is its own timer entry for {@code sleep}, its own frame for the first method
 *     that parks (see {@link Frame}), its own node in the loop's list of live tasks and in the
 *     {@link WaitQueue} it waits in;
 * <li>{@link #value} holds the value (or exception) the task resumes with while it is ready,
 *     and its outcome once done, told apart by {@link #FAILS};
 * <li>the tasks awaiting this one form a ring through their own queue links (a task parked in
 *     {@code await} is in no wait queue), and each of them keeps the task it awaits in its
 *     {@code value} until woken;
 * <li>flags share a byte; the timer sequence is an {@code int} compared by difference; the
 *     list of live tasks is singly linked, tasks that ended being dropped from it lazily;
 * <li>the rare fields (a given name, done-callbacks, the innermost cancel scope) share one
 *     field with the ring of awaiters, in an {@link Extra} made only for a task that needs one;
 *     {@code Task-N} names are made when asked for.
 * </ul>
 * Rejected: a separate object per task for rare fields (an allocation per await or per named
 * task); the ready queue linked through the tasks (a primitive that woke a task still in its
 * wait queue would corrupt both; an array ring costs no field and gives its memory back when
 * it drains).
 */
public abstract class TaskCore extends TimerEntry {
    static final byte NEW = 0;
    static final byte READY = 1;
    static final byte RUNNING = 2;
    static final byte PARKED = 3;
    static final byte DONE = 4;

    /** Flag: cancel() arrived while the task was running; delivered when it next parks. */
    static final byte CANCEL_PENDING = 1;
    /** Flag: the task ended by a CancellationException. */
    static final byte CANCELLED = 2;
    /** Flag: someone retrieved the outcome (await, result, gather, toCompletableFuture), so a failure was not lost. */
    static final byte RETRIEVED = 4;
    /** Flag: {@link #value} is a Throwable: the failure to resume with, or the task's failure once done. */
    static final byte FAILS = 8;
    /** Flag: a cancel scope of the task has a cancellation to deliver when it next parks (see {@link CancelScope}). */
    static final byte SCOPE_PENDING = 16;

    final EventLoop loop;
    final int id;
    byte state = NEW;
    /** {@link #CANCEL_PENDING}, {@link #CANCELLED}, {@link #RETRIEVED}, {@link #FAILS}, {@link #SCOPE_PENDING}. */
    byte flags;
    /**
     * The body (an AsyncCallable or AsyncRunnable) until the first step, then, while parked,
     * the innermost parked frame (often the task itself); null while running and once done.
     */
    Object top;
    /** What the task waits on while PARKED, and after it was woken until it runs. */
    WaitSite waitSite;
    /**
     * READY: the value the task resumes with, or the exception it resumes by ({@link #FAILS}).
     * PARKED in {@code await}: the task awaited. DONE: the result, or the failure ({@link #FAILS}).
     */
    Object value;
    /** Null; the first of the tasks awaiting this one (a TaskCore); or an {@link Extra}. */
    private Object extra;
    /**
     * Neighbours in the {@link WaitQueue} the task is parked in, first-in first-out; null when
     * not queued or at an end (the queue knows its head, so membership needs no back pointer).
     * While the task is parked in {@code await}: its neighbours in the awaited task's ring of
     * awaiters, never null.
     */
    TaskCore queuePrevious;
    TaskCore queueNext;
    /** The next in the loop's list of tasks, oldest first; may be a task that has ended. */
    TaskCore nextLive;

    /**
     * The rare fields of a task that has a given name, done-callbacks or cancel scopes, and the
     * first of its awaiters (which then lives here rather than in {@link #extra}).
     */
    private static final class Extra {
        /** The given name; null for a {@code Task-N}. */
        String name;
        TaskCore firstWaiter;
        /** Null, one {@link DoneCallback}, or a {@code DoneCallback[]} (null entries unused). */
        Object callbacks;
        /** The innermost {@link CancelScope} the task is in; null when none. */
        CancelScope scope;
    }

    protected TaskCore(EventLoop loop, Object body, String name) {
        this.loop = loop;
        this.top = body;
        this.id = loop.nextTaskId();
        if (name != null) {
            extra().name = name;
        }
    }

    /** The task's name: the one given, or {@code Task-N}. */
    public final String name() {
        String given = extra instanceof Extra ? ((Extra) extra).name : null;
        return given != null ? given : "Task-" + id;
    }

    /** Whether the task has ended (normally, by an exception, or cancelled), without parking. */
    public final boolean isDone() {
        return state == DONE;
    }

    /** Whether the task has ended cancelled, without parking. */
    public final boolean isCancelled() {
        return state == DONE && (flags & CANCELLED) != 0;
    }

    /**
     * Asks the task to stop. A task that has not started never starts. A parked task is resumed
     * with a {@code CancellationException} thrown from the suspending call where it is parked,
     * so its {@code catch} and {@code finally} blocks run. A running task (one cancelling itself)
     * gets it at its next suspension point. A task in {@code Asyncio.shield} gets it at its first
     * suspension point after the shield. The children of the task groups the task is in are
     * cancelled at the same time. Must be called on the loop's thread.
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
                flags |= CANCEL_PENDING;
                return true;
            default:
                loop.cancelParked(this);
                return true;
        }
    }

    /** The failure the task ended with, or null; the task must be done. */
    final Throwable failure() {
        return (flags & FAILS) != 0 ? (Throwable) value : null;
    }

    /** The outcome as {@code await} reports it; the task must be done. */
    final Object outcome() {
        flags |= RETRIEVED;
        if ((flags & FAILS) == 0) {
            return value;
        }
        throw Coroutines.<RuntimeException>sneakyThrow(reported((Throwable) value));
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

    /** The site of a task parked in await; the awaited task is in the waiter's {@code value}. */
    private static final WaitSite AWAITED = new WaitSite() {
        @Override
        public void cancelWait(TaskCore waiter) {
            if (waiter.queueNext != null) { // still in the ring: not woken yet
                ((TaskCore) waiter.value).removeWaiter(waiter);
            }
        }

        @Override
        public String describe(TaskCore waiter) {
            TaskCore awaited = awaited(waiter);
            return awaited == null ? "a task that has ended" : "task " + awaited.name();
        }

        @Override
        public List<TaskCore> awaitedTasks(TaskCore waiter) {
            TaskCore awaited = awaited(waiter);
            return awaited == null ? List.of() : List.of(awaited);
        }
    };

    /** The task {@code task} awaits, or null when it is not parked in await. */
    static TaskCore awaited(TaskCore task) {
        return task.waitSite == AWAITED && task.queueNext != null ? (TaskCore) task.value : null;
    }

    private TaskCore firstWaiter() {
        return extra instanceof TaskCore ? (TaskCore) extra : extra instanceof Extra ? ((Extra) extra).firstWaiter : null;
    }

    private void setFirstWaiter(TaskCore waiter) {
        if (extra instanceof Extra) {
            ((Extra) extra).firstWaiter = waiter;
        } else {
            extra = waiter;
        }
    }

    /** The task's {@link Extra}, made now if it has none. */
    private Extra extra() {
        if (extra instanceof Extra) {
            return (Extra) extra;
        }
        Extra made = new Extra();
        made.firstWaiter = (TaskCore) extra;
        extra = made;
        return made;
    }

    /** The innermost cancel scope the task is in, or null. */
    final CancelScope scope() {
        return extra instanceof Extra ? ((Extra) extra).scope : null;
    }

    final void setScope(CancelScope scope) {
        if (scope != null || extra instanceof Extra) {
            extra().scope = scope;
        }
    }

    /**
     * Adds {@code callback}, called once when the task ends (right after its awaiters are
     * woken), or at once if it has ended. Costs no field: it lives in the task's {@link Extra}.
     */
    final void addDoneCallback(DoneCallback callback) {
        if (state == DONE) {
            callback.taskDone(this);
            return;
        }
        Extra rare = extra();
        Object callbacks = rare.callbacks;
        if (callbacks == null) {
            rare.callbacks = callback;
        } else if (callbacks instanceof DoneCallback) {
            rare.callbacks = new DoneCallback[] {(DoneCallback) callbacks, callback};
        } else {
            DoneCallback[] array = (DoneCallback[]) callbacks;
            array = Arrays.copyOf(array, array.length + 1);
            array[array.length - 1] = callback;
            rare.callbacks = array;
        }
    }

    /** Calls the done-callbacks, once; the task has just ended. */
    private void runDoneCallbacks() {
        Extra rare = (Extra) extra;
        Object callbacks = rare.callbacks;
        rare.callbacks = null;
        if (callbacks instanceof DoneCallback) {
            ((DoneCallback) callbacks).taskDone(this);
        } else {
            for (DoneCallback callback : (DoneCallback[]) callbacks) {
                callback.taskDone(this);
            }
        }
    }

    /** Adds {@code waiter} at the end of the ring of awaiters. */
    private void addWaiter(TaskCore waiter) {
        waiter.value = this;
        TaskCore first = firstWaiter();
        if (first == null) {
            waiter.queueNext = waiter;
            waiter.queuePrevious = waiter;
            setFirstWaiter(waiter);
        } else {
            TaskCore last = first.queuePrevious;
            waiter.queuePrevious = last;
            waiter.queueNext = first;
            last.queueNext = waiter;
            first.queuePrevious = waiter;
        }
    }

    private void removeWaiter(TaskCore waiter) {
        TaskCore next = waiter.queueNext;
        if (next == waiter) {
            setFirstWaiter(null);
        } else {
            TaskCore previous = waiter.queuePrevious;
            previous.queueNext = next;
            next.queuePrevious = previous;
            if (firstWaiter() == waiter) {
                setFirstWaiter(next);
            }
        }
        waiter.queueNext = null;
        waiter.queuePrevious = null;
    }

    /** Wakes every awaiter, first come first, with this task's outcome; the task has just ended. */
    final void wakeWaiters() {
        TaskCore first = firstWaiter();
        if (first == null) {
            if (extra instanceof Extra && ((Extra) extra).callbacks != null) {
                runDoneCallbacks();
            }
            return;
        }
        setFirstWaiter(null);
        flags |= RETRIEVED;
        Object result = (flags & FAILS) == 0 ? value : null;
        Throwable failure = (flags & FAILS) == 0 ? null : reported((Throwable) value);
        TaskCore waiter = first;
        do {
            TaskCore next = waiter.queueNext;
            waiter.queueNext = null;
            waiter.queuePrevious = null;
            if (failure == null) {
                loop.wake(waiter, result);
            } else {
                loop.wakeFailing(waiter, failure);
            }
            waiter = next;
        } while (waiter != first);
        if (extra instanceof Extra && ((Extra) extra).callbacks != null) {
            runDoneCallbacks();
        }
    }

    @Override
    protected final void expire(EventLoop expiring) {
        expiring.wake(this, null);
    }

    /** {@code Task[Task-2, parked, waiting for sleep, 1.5 s left]}; see {@link Introspection#toString}. */
    @Override
    public String toString() {
        return Introspection.toString(this);
    }
}
