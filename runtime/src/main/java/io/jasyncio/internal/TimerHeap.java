package io.jasyncio.internal;

import java.util.Arrays;

/**
 * A binary min-heap of {@link TimerEntry}s ordered by (deadline, sequence), the seed's
 * {@code heapq} of {@code (deadline, seq_no, task)}. Entries know their index, so a
 * cancelled timer leaves at once in O(log n) rather than lingering until it falls due.
 */
final class TimerHeap {
    private TimerEntry[] heap = new TimerEntry[16];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    TimerEntry peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerEntry entry) {
        if (entry.heapIndex >= 0) {
            throw new IllegalStateException("timer already scheduled");
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = entry;
        entry.heapIndex = size;
        size++;
        siftUp(entry.heapIndex);
    }

    TimerEntry poll() {
        if (size == 0) {
            return null;
        }
        TimerEntry first = heap[0];
        removeAt(0);
        return first;
    }

    /** Removes {@code entry} if it is in the heap; returns whether it was. */
    boolean remove(TimerEntry entry) {
        int index = entry.heapIndex;
        if (index < 0 || index >= size || heap[index] != entry) {
            return false;
        }
        removeAt(index);
        return true;
    }

    private void removeAt(int index) {
        TimerEntry removed = heap[index];
        size--;
        TimerEntry last = heap[size];
        heap[size] = null;
        removed.heapIndex = -1;
        if (index < size) {
            heap[index] = last;
            last.heapIndex = index;
            siftDown(index);
            if (heap[index] == last) {
                siftUp(index);
            }
        }
    }

    private void siftUp(int index) {
        TimerEntry entry = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            TimerEntry above = heap[parent];
            if (!entry.before(above)) {
                break;
            }
            heap[index] = above;
            above.heapIndex = index;
            index = parent;
        }
        heap[index] = entry;
        entry.heapIndex = index;
    }

    private void siftDown(int index) {
        TimerEntry entry = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(entry)) {
                break;
            }
            heap[index] = heap[child];
            heap[index].heapIndex = index;
            index = child;
        }
        heap[index] = entry;
        entry.heapIndex = index;
    }
}
