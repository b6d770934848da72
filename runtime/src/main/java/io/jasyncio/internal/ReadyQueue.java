package io.jasyncio.internal;

/**
 * The loop's first-in first-out queue of ready tasks: a ring of references in an array whose
 * length is a power of two. Unlike {@code ArrayDeque} it gives its memory back: a burst of a
 * million new tasks grows it to a million slots, and once it has drained it shrinks again, so
 * that a million tasks parked after the burst do not keep 4 MB of empty slots alive.
 */
final class ReadyQueue {
    /** Drained rings longer than this are replaced by one of this length. */
    private static final int KEPT = 1 << 12;

    private TaskCore[] ring = new TaskCore[64];
    /** Index of the first task, and one past the last, both unbounded: masked on access. */
    private int head;
    private int tail;

    boolean isEmpty() {
        return head == tail;
    }

    int size() {
        return tail - head;
    }

    void add(TaskCore task) {
        TaskCore[] ring = this.ring;
        if (tail - head == ring.length) {
            ring = grow();
        }
        ring[tail++ & (ring.length - 1)] = task;
    }

    /** The first task, removed; the queue must not be empty. */
    TaskCore poll() {
        TaskCore[] ring = this.ring;
        int index = head++ & (ring.length - 1);
        TaskCore task = ring[index];
        ring[index] = null;
        if (head == tail && ring.length > KEPT) {
            this.ring = new TaskCore[KEPT];
            head = 0;
            tail = 0;
        }
        return task;
    }

    /**
     * Reorders the whole queue as {@code schedule} chooses: the first {@code made} tasks are
     * permuted freely, the rest (woken by timers) keep their order and are merged into them
     * (see {@link Schedule}). With every choice 0 the order is unchanged. Test tools only.
     */
    void reorder(int made, Schedule schedule) {
        int size = tail - head;
        if (size < 2) {
            return;
        }
        TaskCore[] ring = this.ring;
        int mask = ring.length - 1;
        TaskCore[] tasks = new TaskCore[size];
        for (int i = 0; i < size; i++) {
            tasks[i] = ring[(head + i) & mask];
        }
        for (int i = 0; i < made - 1; i++) { // Fisher-Yates from the front: choice 0 keeps a task in place
            int j = i + schedule.choose(made - i);
            TaskCore swap = tasks[i];
            tasks[i] = tasks[j];
            tasks[j] = swap;
        }
        int fromMade = 0;
        int fromTimed = made;
        for (int i = 0; i < size; i++) {
            int leftMade = made - fromMade;
            int leftTimed = size - fromTimed;
            boolean takeMade = leftTimed == 0
                    || (leftMade > 0 && schedule.choose(leftMade + leftTimed) < leftMade);
            ring[(head + i) & mask] = takeMade ? tasks[fromMade++] : tasks[fromTimed++];
        }
    }

    private TaskCore[] grow() {
        TaskCore[] old = ring;
        TaskCore[] bigger = new TaskCore[old.length * 2];
        int size = tail - head;
        for (int i = 0; i < size; i++) {
            bigger[i] = old[(head + i) & (old.length - 1)];
        }
        ring = bigger;
        head = 0;
        tail = size;
        return bigger;
    }
}
