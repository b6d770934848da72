package io.jasyncio.internal;

import io.jasyncio.AsyncFunction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * The machinery of {@code Asyncio.taskGroup}: a {@link CancelScope} whose body runs in the
 * calling task and whose children are tasks; the scope ends only when the body and every
 * child have ended.
 *
 * <h2>States of the calling task</h2>
 * <pre>
 *   BODY  -- body returns or throws -->  JOIN (parked here until no child is left) --> ended
 *     |                                    ^
 *     | a child fails, or cancel():        | a child fails, cancel(), or the caller is
 *     | every child is cancelled, and      | cancelled: every child is cancelled
 *     | the body gets a ScopeCancellation  |
 * </pre>
 * Each child tells the group it ended through a done-callback ({@link DoneCallback}), not a
 * watcher task: that costs no task and sees a child cancelled before it ever started.
 *
 * <h2>What it throws</h2>
 * The first of: a failure of the body, a failure of a child (as {@code Task.await} reports
 * it), a cancellation of the calling task (a {@code Task.cancel()}, an enclosing scope's);
 * every later one of these is added to it as suppressed. A child that ends cancelled is no
 * failure, nor is the body's own {@link ScopeCancellation} from this group (whatever was
 * suppressed on it still counts). With none of these, the body's result.
 */
public final class GroupScope extends CancelScope implements WaitSite, DoneCallback {
    private final AsyncFunction<Object, ?> body;
    /** What the body is given: the public {@code TaskGroup}. */
    private final Object facade;
    /** The children that have not ended, oldest first. */
    private final LinkedHashSet<TaskCore> children = new LinkedHashSet<>();
    /** Whether every child has been cancelled: by this group, or by a cancellation of its caller. */
    private boolean childrenCancelled;
    /** Whether the body has ended (the task is in JOIN). */
    private boolean joining;
    /** Whether the scope has ended: no child may be added. */
    private boolean ended;
    /** Whether the task is parked on this object in JOIN and nothing has woken it yet. */
    private boolean parked;
    /** What the body returned. */
    private Object result;
    /** The first failure or cancellation of the caller; null while none. */
    private Throwable primary;
    /** The ones after it; null while none. */
    private List<Throwable> others;

    @SuppressWarnings("unchecked")
    private GroupScope(TaskCore task, AsyncFunction<?, ?> body, Object facade) {
        super(task, "io.jasyncio.Asyncio.taskGroup");
        this.body = (AsyncFunction<Object, ?>) body;
        this.facade = facade;
    }

    /**
     * Enters a new group in the running task, which the public {@code TaskGroup} then runs.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @param body the user's body
     * @param facade what the body is given
     * @return the group, entered
     */
    public static GroupScope enter(EventLoop loop, AsyncFunction<?, ?> body, Object facade) {
        return new GroupScope(loop.currentTask("Asyncio.taskGroup"), body, facade);
    }

    /** Runs the body: a hand-woven suspending call; returns its result when it did not park. */
    public Object run() {
        return run(task.loop);
    }

    @Override
    String reason() {
        return "Asyncio.taskGroup: the group is cancelled" + (primary == null ? "" : " after a failure: " + primary);
    }

    @Override
    Object callBody() throws Exception {
        return body.apply(facade);
    }

    /**
     * Adds {@code child}, just scheduled, to the group; a child added after the group
     * cancelled its children is cancelled at once (it never starts).
     *
     * @throws IllegalStateException if the group has ended
     */
    public void adopt(TaskCore child) {
        children.add(child);
        child.addDoneCallback(this);
        if (childrenCancelled) {
            child.cancel();
        }
    }

    /** Throws {@code IllegalStateException} when the group has ended. */
    public void checkOpen() {
        if (ended) {
            throw new IllegalStateException("TaskGroup.createTask: the task group has ended; "
                    + "create tasks from the group's body or from its children while it runs");
        }
    }

    /** {@code TaskGroup.cancel()}: cancels the body and every child; not a failure. */
    public void cancel() {
        if (!ended) {
            cancelAll();
        }
    }

    /** Whether the group cancelled itself (a failure, or {@link #cancel()}). */
    public boolean isCancelled() {
        return cancelled;
    }

    private void cancelAll() {
        if (cancelled) {
            return;
        }
        if (joining) {
            cancelled = true; // the body has ended: nothing to throw into it
        } else {
            cancelBody();
        }
        cancelChildren();
    }

    /** Cancels every child, once: the group failed, or a cancellation was thrown into its caller. */
    void cancelChildren() {
        if (childrenCancelled) {
            return;
        }
        childrenCancelled = true;
        for (TaskCore child : children.toArray(new TaskCore[0])) {
            child.cancel(); // a child that never started ends here, and leaves the set
        }
    }

    /** Records a failure or a cancellation of the caller, in order. */
    private void record(Throwable failure) {
        if (primary == null) {
            primary = failure;
            return;
        }
        if (failure == primary) {
            return; // the body rethrew what an awaited child failed with
        }
        if (others == null) {
            others = new ArrayList<>();
        }
        for (Throwable other : others) {
            if (other == failure) {
                return;
            }
        }
        others.add(failure);
    }

    /** Records what the body (or the task parked in JOIN) was thrown, and cancels what is left. */
    private void caught(Throwable thrown) {
        if (thrown instanceof ScopeCancellation && ((ScopeCancellation) thrown).origin == this) {
            for (Throwable suppressed : thrown.getSuppressed()) {
                record(suppressed);
            }
            return;
        }
        record(thrown);
        cancelAll();
    }

    @Override
    public void taskDone(TaskCore child) {
        children.remove(child);
        try {
            child.resultNow(); // counts as retrieved
        } catch (CancellationException cancelled) {
            // not a failure, whoever cancelled it
        } catch (Throwable failure) {
            record(failure);
            cancelAll();
        }
        if (joining && parked && children.isEmpty()) {
            parked = false;
            task.loop.wake(task, null);
        }
    }

    @Override
    Object bodyEnded(EventLoop loop, Object value, Throwable thrown) {
        joining = true;
        delivered = true; // the body has ended: nothing more to throw into it
        if (thrown != null) {
            caught(thrown);
        } else {
            result = value;
        }
        return join(loop);
    }

    /** Parks until no child is left, then ends the scope. */
    private Object join(EventLoop loop) {
        if (!children.isEmpty()) {
            parked = true;
            loop.suspend(task, this, null);
            spill(loop, JOIN);
            return null;
        }
        ended = true;
        exit();
        if (primary == null) {
            return result;
        }
        if (others != null) {
            for (Throwable other : others) {
                primary.addSuppressed(other);
            }
        }
        throw Coroutines.<RuntimeException>sneakyThrow(primary);
    }

    @Override
    Object joinResumed(EventLoop loop) {
        try {
            Coroutines.resumeValue(loop);
        } catch (Throwable cancellation) {
            caught(cancellation);
        }
        return join(loop);
    }

    /** The task parked in JOIN is cancelled (or woken by another scope's cancellation). */
    @Override
    public void cancelWait(TaskCore waiter) {
        parked = false;
    }

    // The two diagnostics below override WaitSite's defaults of the same names where WaitSite
    // has them (Task.waitingFor, Asyncio.dumpTasks): so they carry no @Override.

    /**
     * What the task parked in JOIN waits for, for diagnostics.
     *
     * @param waiter the task parked here
     * @return {@code "task group, 2 children left"}
     */
    @Override
    public String describe(TaskCore waiter) {
        return "task group, " + children.size() + (children.size() == 1 ? " child" : " children") + " left";
    }

    /**
     * The children the task parked in JOIN waits for, oldest first, for diagnostics.
     *
     * @param waiter the task parked here
     * @return a new list
     */
    @Override
    public List<TaskCore> awaitedTasks(TaskCore waiter) {
        return new ArrayList<>(children);
    }
}
