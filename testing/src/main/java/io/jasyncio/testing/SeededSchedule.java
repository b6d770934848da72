package io.jasyncio.testing;

import io.jasyncio.Asyncio;
import io.jasyncio.Loop;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Schedule;
import io.jasyncio.internal.TaskCore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One run's schedule: the permutation of each step's ready tasks, drawn from a seed, and the
 * run's budget of steps. The numbers come from SplitMix64 (Steele, Lea and Flood), written out
 * here rather than taken from {@code java.util.SplittableRandom}, so that a seed replays the
 * same interleaving on every JDK. Seed 0 chooses 0 every time: the loop's own order.
 */
final class SeededSchedule implements Schedule {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private final long seed;
    private long state;
    private final long maxSteps;
    /** Why the run was stopped (timeout or steps), with the dump taken then; null while it was not. */
    String stopped;
    /** What the main task left behind when it ended, with the dump; null when nothing. */
    String leftBehind;
    private TaskCore main;
    private long stoppedAtStep;
    /** When the run's time is up, in the loop clock's nanoseconds. */
    private long deadline;
    private String timeoutText;
    /** Stops a real-time run at its deadline; null in virtual time. */
    private ScheduledFuture<?> watchdog;
    /** The watchdogs of every real-time run: one daemon thread, made on first use. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "jasyncio-testing-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    SeededSchedule(long seed, long maxSteps) {
        this.seed = seed;
        this.state = seed;
        this.maxSteps = maxSteps;
    }

    /**
     * Starts the run's clock: it may last {@code timeoutNanos}. In virtual time the check before
     * each step sees the deadline pass (the clock moves only to a timer). In real time a
     * watchdog thread posts the stop to the loop at the deadline, as no step may come before
     * then; it is no timer of the loop, so a deadlock is still reported at once as one.
     */
    void start(EventLoop loop, TaskCore main, long timeoutNanos, String timeoutText) {
        this.main = main;
        this.deadline = loop.now() + timeoutNanos;
        this.timeoutText = timeoutText;
        if (!loop.clock().isVirtual()) {
            Loop face = Asyncio.runningLoop();
            watchdog = WATCHDOG.schedule(() -> {
                try {
                    face.callSoonThreadsafe(() -> stop(loop, timeoutText));
                } catch (IllegalStateException closed) {
                    // the run ended meanwhile
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public int choose(int bound) {
        if (seed == 0) {
            return 0;
        }
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z ^= z >>> 31;
        return (int) Math.floorMod(z, (long) bound);
    }

    @Override
    public void beforeRun(EventLoop loop) {
        long steps = loop.steps();
        if (stopped == null && main != null && loop.now() - deadline > 0) {
            stop(loop, timeoutText);
        } else if (stopped == null && steps > maxSteps) {
            stop(loop, "the test took more than " + maxSteps + " loop steps (@AsyncTest(maxSteps))");
        } else if (stopped != null && steps - stoppedAtStep > maxSteps) {
            // cancelled, it went on anyway: nothing more to wait for
            throw new IllegalStateException(stopped + "\nand it went on for " + maxSteps + " more steps after being cancelled");
        }
    }

    /** Stops the run: records why, with the dump of the tasks as they are now, and cancels main. */
    void stop(EventLoop loop, String why) {
        if (stopped != null) {
            return;
        }
        stopped = why + "; the tasks then:\n" + Asyncio.dumpTasks();
        stoppedAtStep = loop.steps();
        if (main != null) {
            main.cancel();
        }
    }

    /** Cancels the real-time watchdog; the run has ended or is ending. */
    void cancelWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    @Override
    public void mainEnded(EventLoop loop, TaskCore main) {
        cancelWatchdog();
        if (stopped != null) {
            return;
        }
        String left = loop.leftovers();
        if (!left.isEmpty()) {
            leftBehind = "the test left behind " + left + "the tasks:\n" + Asyncio.dumpTasks();
        }
    }
}
