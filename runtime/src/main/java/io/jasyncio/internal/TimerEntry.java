package io.jasyncio.internal;

/**
 * An entry of the loop's timer heap, ordered by ({@link #deadline}, {@link #sequence}). A
 * {@link io.jasyncio.Task} is its own entry for {@code sleep}, so a sleeping task costs no
 * extra object.
 */
public abstract class TimerEntry {
    /** When it falls due, in the loop clock's nanoseconds. */
    long deadline;
    /** Tie-break: entries due at the same instant fire in the order they were scheduled. */
    long sequence;
    /** Position in the heap's array, or -1 when not in the heap. Invariant: heap[heapIndex] == this. */
    int heapIndex = -1;

    /** Called by the loop when the entry falls due (it has already left the heap). */
    protected abstract void expire(EventLoop loop);

    final boolean isScheduled() {
        return heapIndex >= 0;
    }

    final boolean before(TimerEntry other) {
        return deadline < other.deadline || (deadline == other.deadline && sequence < other.sequence);
    }
}
