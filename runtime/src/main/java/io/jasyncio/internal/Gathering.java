package io.jasyncio.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * The machinery of {@code Asyncio.gather}: one gathering task awaits many children at once,
 * and the first failure cancels the rest.
 *
 * <h2>How it waits for many tasks</h2>
 * A task parks on one site at a time, and {@code Task.await} parks on one task. So the
 * gathering task parks on this object, and each child that has not ended gets a done-callback
 * ({@link DoneCallback}, one small {@link ChildEnd} per position) that tells the gathering when
 * it ended, right as it ends, on the loop's thread. Children are watched concurrently, so a
 * failure is seen when it happens, whatever the child's position in the list: awaiting the
 * children one after the other would leave a failed later child unnoticed, and its siblings
 * running, for as long as an earlier one runs. In a dump the gathering task's children are the
 * children not ended, directly.
 *
 * <p>Rejected: a watcher task per child that awaits it (what gather did before done-callbacks
 * existed): a task and a frame per child, shown by {@code Asyncio.allTasks()}, and a step of
 * the loop between a child's end and the gathering learning of it.
 *
 * <p>Because the callback runs inside the end of the child, the gathering may be told
 * re-entrantly: cancelling the other children after a failure ends those not started yet at
 * once, and their callbacks run before {@code cancel()} returns. Every path tolerates that
 * ({@link #cancelChildren} runs once, {@link #childEnded} wakes the gatherer once).
 *
 * <h2>Failure and cancellation</h2>
 * The first child to end with an exception (a {@code CancellationException} too) makes the
 * gathering cancel every other child that has not ended; the gathering task wakes only when all
 * of them have ended, so nothing the gather started goes on running unseen, and then throws the
 * first failure, with the failures of the others (other than cancellations) as suppressed
 * exceptions. A cancel of the gathering task cancels every child the same way, waits for them
 * to end, and then throws the gathering task's {@code CancellationException}. Every child's
 * outcome counts as retrieved.
 */
public final class Gathering implements WaitSite {
    private static final int WAITING = 1;
    private static final Resumer GATHER = frame -> frame == null ? null : ((Gathering) frame.refs[0]).resumed();

    private final EventLoop loop;
    private final TaskCore gatherer;
    private final TaskCore[] children;
    /** Which children have been examined after they ended. */
    private final boolean[] examined;
    /** Children that have not been seen to end. */
    private int remaining;
    /** Whether the gatherer is parked on this object and nothing has woken it yet. */
    private boolean gathererParked;
    private boolean childrenCancelled;
    /** The first failure of a child, as {@code await} reports it; null while none failed. */
    private Throwable firstFailure;
    /** Failures of other children, other than cancellations; null while none. */
    private List<Throwable> otherFailures;
    /** The gatherer's own cancellation, thrown once every child has ended. */
    private CancellationException cancelled;

    private Gathering(EventLoop loop, TaskCore gatherer, TaskCore[] children) {
        this.loop = loop;
        this.gatherer = gatherer;
        this.children = children;
        this.examined = new boolean[children.length];
    }

    /**
     * Awaits every task of {@code tasks} as {@code Asyncio.gather} does: a hand-woven
     * suspending call.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @param tasks the children, in the order of the results
     * @return the children's results in order, when the caller did not park
     */
    public static List<Object> gather(EventLoop loop, List<? extends TaskCore> tasks) {
        TaskCore self = loop.currentTask("Asyncio.gather");
        TaskCore[] children = new TaskCore[tasks.size()];
        for (int i = 0; i < children.length; i++) {
            int index = i;
            TaskCore child = Objects.requireNonNull(tasks.get(i), () -> "Asyncio.gather: the task at index " + index + " is null");
            if (child.loop != loop) {
                throw new IllegalArgumentException("Asyncio.gather: task " + child.name() + " belongs to another event loop");
            }
            if (child == self) {
                throw new IllegalArgumentException("Asyncio.gather: task " + self.name() + " cannot gather itself");
            }
            children[i] = child;
        }
        Gathering gathering = new Gathering(loop, self, children);
        for (int i = 0; i < children.length; i++) {
            if (children[i].isDone()) {
                gathering.examine(i);
            } else {
                gathering.remaining++;
                children[i].addDoneCallback(new ChildEnd(gathering, i));
            }
        }
        if (gathering.firstFailure != null) {
            gathering.cancelChildren();
        }
        if (gathering.remaining == 0) {
            return gathering.outcome();
        }
        gathering.park(null);
        return null;
    }

    /** The gatherer resumes: every child ended, or it was cancelled. */
    private Object resumed() {
        EventLoop entered = Coroutines.enter("io.jasyncio.Asyncio.gather");
        Frame frame = Coroutines.resumeFrame(entered);
        try {
            Coroutines.resumeValue(entered);
        } catch (CancellationException e) {
            if (cancelled == null) {
                cancelled = e;
            }
        }
        if (remaining > 0) {
            park(frame); // cancelled: wait for the children, which were cancelled too
            return null;
        }
        return outcome();
    }

    private void park(Frame reuse) {
        gathererParked = true;
        loop.suspend(gatherer, this, null);
        PrimitiveFrames.spill(loop, reuse, GATHER, WAITING, this);
    }

    /** {@code children[index]} has just ended. */
    private void childEnded(int index) {
        remaining--;
        examine(index);
        if (firstFailure != null) {
            cancelChildren();
        }
        if (remaining == 0 && gathererParked) {
            gathererParked = false;
            loop.wake(gatherer, null, null);
        }
    }

    /**
     * Retrieves the outcome of {@code children[index]}, which has ended, and remembers its
     * failure, once per task even when the task was given more than once.
     */
    private void examine(int index) {
        examined[index] = true;
        Throwable failure;
        try {
            children[index].resultNow();
            return;
        } catch (Throwable e) {
            failure = e;
        }
        if (examinedBefore(index)) {
            return;
        }
        if (firstFailure == null) {
            firstFailure = failure;
        } else if (!(failure instanceof CancellationException)) {
            if (otherFailures == null) {
                otherFailures = new ArrayList<>();
            }
            otherFailures.add(failure);
        }
    }

    /** Whether the task at {@code index} also sits at another index examined already; only on failure. */
    private boolean examinedBefore(int index) {
        for (int i = 0; i < children.length; i++) {
            if (i != index && examined[i] && children[i] == children[index]) {
                return true;
            }
        }
        return false;
    }

    private void cancelChildren() {
        if (childrenCancelled) {
            return;
        }
        childrenCancelled = true;
        for (TaskCore child : children) {
            child.cancel(); // does nothing to a child that has ended
        }
    }

    /** The results in order, or the exception to throw; every child has ended. */
    private List<Object> outcome() {
        Throwable thrown = cancelled != null ? cancelled : firstFailure;
        if (thrown != null) {
            if (otherFailures != null) {
                for (Throwable other : otherFailures) {
                    thrown.addSuppressed(other);
                }
            }
            if (cancelled != null && firstFailure != null && !(firstFailure instanceof CancellationException)) {
                thrown.addSuppressed(firstFailure);
            }
            throw Coroutines.<RuntimeException>sneakyThrow(thrown);
        }
        List<Object> results = new ArrayList<>(children.length);
        for (TaskCore child : children) {
            results.add(child.resultNow());
        }
        return results;
    }

    /** The gatherer was cancelled while parked here (or after it was woken, before it ran). */
    @Override
    public void cancelWait(TaskCore task) {
        gathererParked = false;
        cancelChildren();
    }

    /** {@code gather of 3 tasks, 2 not ended}. */
    @Override
    public String describe(TaskCore task) {
        return "gather of " + children.length + (children.length == 1 ? " task, " : " tasks, ") + remaining + " not ended";
    }

    /** The children not ended: the gathering task's children in a dump. */
    @Override
    public List<TaskCore> awaitedTasks(TaskCore task) {
        List<TaskCore> awaited = new ArrayList<>();
        for (TaskCore child : children) {
            if (!child.isDone()) {
                awaited.add(child);
            }
        }
        return awaited;
    }

    /**
     * The done-callback of one position: tells the gathering that the child there ended. One
     * per position rather than the gathering itself, so that a task given twice is counted
     * twice without a search.
     */
    private static final class ChildEnd implements DoneCallback {
        private final Gathering gathering;
        private final int index;

        ChildEnd(Gathering gathering, int index) {
            this.gathering = gathering;
            this.index = index;
        }

        @Override
        public void taskDone(TaskCore task) {
            gathering.childEnded(index);
        }
    }
}
