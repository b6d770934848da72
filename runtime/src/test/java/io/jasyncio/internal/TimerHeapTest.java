package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TimerHeapTest {
    /** A timer entry with a label; never expired by these tests. */
    static final class Entry extends TimerEntry {
        final String label;

        Entry(String label, long deadline, int sequence) {
            this.label = label;
            this.deadline = deadline;
            this.sequence = sequence;
        }

        @Override
        protected void expire(EventLoop loop) {
            throw new AssertionError("not expired in these tests");
        }

        @Override
        public String toString() {
            return label + "@" + deadline + "#" + sequence;
        }
    }

    private static final Comparator<Entry> ORDER =
            Comparator.<Entry>comparingLong(entry -> entry.deadline).thenComparing((a, b) -> Integer.signum(a.sequence - b.sequence));

    private static List<String> drain(TimerHeap heap) {
        List<String> labels = new ArrayList<>();
        for (TimerEntry entry; (entry = heap.poll()) != null; ) {
            assertFalse(entry.isScheduled(), "a polled entry is no longer scheduled");
            labels.add(((Entry) entry).label);
        }
        return labels;
    }

    @Test
    void poll_emptyHeap_returnsNull() {
        TimerHeap heap = new TimerHeap();
        assertTrue(heap.isEmpty());
        assertNull(heap.peek());
        assertNull(heap.poll());
    }

    @Test
    void poll_differentDeadlines_earliestFirst() {
        TimerHeap heap = new TimerHeap();
        heap.add(new Entry("c", 30, 0));
        heap.add(new Entry("a", 10, 1));
        heap.add(new Entry("d", 40, 2));
        heap.add(new Entry("b", 20, 3));
        assertEquals("a", ((Entry) heap.peek()).label);
        assertEquals(List.of("a", "b", "c", "d"), drain(heap));
    }

    @Test
    void poll_equalDeadlines_inSequenceOrder() {
        TimerHeap heap = new TimerHeap();
        heap.add(new Entry("third", 5, 7));
        heap.add(new Entry("first", 5, 2));
        heap.add(new Entry("earlier", 4, 9));
        heap.add(new Entry("second", 5, 3));
        assertEquals(List.of("earlier", "first", "second", "third"), drain(heap));
    }

    @Test
    void remove_entryInTheMiddle_othersKeepTheirOrder() {
        TimerHeap heap = new TimerHeap();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Entry entry = new Entry("e" + i, i, i);
            entries.add(entry);
            heap.add(entry);
        }
        assertTrue(heap.remove(entries.get(7)));
        assertTrue(heap.remove(entries.get(13)));
        assertTrue(heap.remove(entries.get(0)));
        assertFalse(entries.get(7).isScheduled());
        assertEquals(17, heap.size());
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < 20; i++) {
            if (i != 7 && i != 13) {
                expected.add("e" + i);
            }
        }
        assertEquals(expected, drain(heap));
    }

    @Test
    void remove_entryNotInHeap_returnsFalse() {
        TimerHeap heap = new TimerHeap();
        Entry inside = new Entry("inside", 1, 0);
        Entry outside = new Entry("outside", 1, 1);
        heap.add(inside);
        assertFalse(heap.remove(outside));
        assertTrue(heap.remove(inside));
        assertFalse(heap.remove(inside), "a second removal finds nothing");
        assertTrue(heap.isEmpty());
    }

    @Test
    void remove_entryOfAnotherHeapAtTheSameIndex_returnsFalse() {
        TimerHeap one = new TimerHeap();
        TimerHeap other = new TimerHeap();
        Entry mine = new Entry("mine", 1, 0);
        Entry theirs = new Entry("theirs", 1, 1);
        one.add(mine);
        other.add(theirs);
        assertFalse(one.remove(theirs));
        assertSame(mine, one.peek());
    }

    @Test
    void add_entryAlreadyScheduled_throws() {
        TimerHeap heap = new TimerHeap();
        Entry entry = new Entry("once", 1, 0);
        heap.add(entry);
        assertThrows(IllegalStateException.class, () -> heap.add(entry));
        assertEquals(1, heap.size());
    }

    @Test
    void add_afterPoll_entryCanBeScheduledAgain() {
        TimerHeap heap = new TimerHeap();
        Entry entry = new Entry("again", 1, 0);
        heap.add(entry);
        assertSame(entry, heap.poll());
        entry.deadline = 2;
        entry.sequence = 1;
        heap.add(entry);
        assertSame(entry, heap.peek());
    }

    @Test
    void randomOperations_matchASortedReference() {
        Random random = new Random(20261126L);
        for (int round = 0; round < 50; round++) {
            TimerHeap heap = new TimerHeap();
            TreeSet<Entry> reference = new TreeSet<>(ORDER);
            List<Entry> scheduled = new ArrayList<>();
            int sequence = Integer.MAX_VALUE - 1_000; // wraps midway: sequences are compared by difference
            for (int operation = 0; operation < 2_000; operation++) {
                int choice = random.nextInt(10);
                if (choice < 5) {
                    // few distinct deadlines, so that ties are common
                    Entry entry = new Entry("e" + sequence, random.nextInt(50), sequence++);
                    heap.add(entry);
                    reference.add(entry);
                    scheduled.add(entry);
                } else if (choice < 8) {
                    Entry expected = reference.pollFirst();
                    assertSame(expected, heap.poll(), "round " + round + ", operation " + operation);
                    scheduled.remove(expected);
                } else if (!scheduled.isEmpty()) {
                    Entry victim = scheduled.remove(random.nextInt(scheduled.size()));
                    assertTrue(reference.remove(victim));
                    assertTrue(heap.remove(victim));
                }
                assertEquals(reference.size(), heap.size());
                assertSame(reference.isEmpty() ? null : reference.first(), heap.peek());
            }
            for (Entry entry : scheduled) {
                assertTrue(entry.isScheduled());
            }
            List<String> expected = new ArrayList<>();
            for (Entry entry : reference) {
                expected.add(entry.label);
            }
            assertEquals(expected, drain(heap));
        }
    }
}
