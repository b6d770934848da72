package io.jasyncio.internal;

/**
 * An entry of the loop's timer heap, ordered by ({@link #deadline}, {@link #sequence}). A
 * {@link io.jasyncio.Task} is its own entry for {@code sleep}, so a sleeping task costs no
 * extra object.
 *
 * <p>It extends {@link Frame} only so that a task can be both (see "The task's own frame"
 * there): Java has one superclass, and woven code reads the frame's fields directly. A timer
 * that is not a task leaves the frame fields unused (20 bytes); timers that are not tasks are
 * few, tasks are many.
 */
public abstract class TimerEntry extends Frame {
    /** When it falls due, in the loop clock's nanoseconds. */
    long deadline;
    /**
     * Tie-break: entries due at the same instant fire in the order they were scheduled. An
     * {@code int} that may wrap: compared by difference, it orders any two entries scheduled
     * less than 2^31 timers apart.
     */
    int sequence;
    /** Position in the heap's array, or -1 when not in the heap. Invariant: heap[heapIndex] == this. */
    int heapIndex = -1;

    protected TimerEntry() {}

    /** Called by the loop when the entry falls due (it has already left the heap). */
    protected abstract void expire(EventLoop loop);

    final boolean isScheduled() {
        return heapIndex >= 0;
    }

    final boolean before(TimerEntry other) {
        return deadline < other.deadline || (deadline == other.deadline && sequence - other.sequence < 0);
    }
}
