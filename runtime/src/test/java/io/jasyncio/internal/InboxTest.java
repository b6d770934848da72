package io.jasyncio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue other threads post to: order, exactly-once, closing. */
class InboxTest {
    private final Selector selector = Inbox.openSelector();
    private final Inbox inbox = new Inbox(new EventLoop(), selector);

    @AfterEach
    void closeSelector() throws IOException {
        selector.close();
    }

    @Test
    void runPending_postsFromEightThreads_eachOnceInEachThreadsOrder() throws InterruptedException {
        int threads = 8;
        int posts = 20_000;
        List<List<Integer>> seen = new ArrayList<>();
        List<Thread> posters = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            List<Integer> mine = new ArrayList<>();
            seen.add(mine);
            Thread poster = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < posts; i++) {
                    int number = i;
                    assertTrue(inbox.post(() -> mine.add(number)));
                }
            });
            posters.add(poster);
            poster.start();
        }
        start.countDown();
        boolean alive = true;
        while (alive) { // the loop's side: take what was posted so far, again and again
            inbox.runPending();
            alive = false;
            for (Thread poster : posters) {
                alive |= poster.isAlive();
            }
        }
        for (Thread poster : posters) {
            poster.join();
        }
        inbox.runPending();
        for (List<Integer> mine : seen) {
            assertEquals(posts, mine.size());
            for (int i = 0; i < posts; i++) {
                assertEquals(i, mine.get(i));
            }
        }
        assertFalse(inbox.hasPending());
    }

    @Test
    void close_runsWhatWasPostedBefore_thenRefusesPosts() {
        List<String> ran = new ArrayList<>();
        assertTrue(inbox.post(() -> ran.add("first")));
        assertTrue(inbox.post(() -> ran.add("second")));
        assertTrue(inbox.hasPending());
        assertTrue(inbox.close(), "it ran something");
        assertEquals(List.of("first", "second"), ran);
        assertTrue(inbox.isClosed());
        assertFalse(inbox.post(() -> ran.add("too late")));
        assertFalse(inbox.hasPending());
        assertFalse(inbox.close(), "nothing more to run");
        inbox.runPending();
        assertEquals(List.of("first", "second"), ran);
    }

    @Test
    void isIdle_untilSomethingIsPostedOrOutstanding() {
        assertTrue(inbox.isIdle());
        inbox.outstanding++;
        assertFalse(inbox.isIdle());
        inbox.outstanding--;
        inbox.post(() -> { });
        assertFalse(inbox.isIdle());
        inbox.runPending();
        assertTrue(inbox.isIdle());
    }
}
