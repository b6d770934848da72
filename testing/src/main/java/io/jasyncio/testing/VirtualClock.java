package io.jasyncio.testing;

import io.jasyncio.internal.EventLoop;
import java.time.Duration;
import java.util.Objects;

/**
 * Virtual time for one loop. It moves only when the loop asks it to, at a moment when every
 * task is parked and only a timer can wake one: then it jumps straight to that timer
 * (auto-advance), so {@code sleep(Duration.ofHours(24))} returns at once and timeouts fall
 * due without waiting. Time never passes while a task runs; {@link AsyncTesting#advanceBy}
 * lets a test move it explicitly.
 *
 * <p>A loop on a virtual clock refuses to register real channels
 * ({@link EventLoop.Clock#isVirtual()}): {@code select} would wait in real time while virtual
 * time stands still.
 *
 * <p>With auto-advance off ({@link #setAutoAdvance}) the clock moves only inside
 * {@link AsyncTesting#advanceBy}; a loop whose tasks all wait for timers otherwise fails with
 * an {@code IllegalStateException} instead of jumping. Not thread-safe: it belongs to the
 * loop's thread.
 */
public final class VirtualClock implements EventLoop.Clock {
    /** Where the clock starts, far from 0 so that code subtracting deadlines sees no edge. */
    private static final long ORIGIN = 1_000_000_000_000L;
    private long now = ORIGIN;
    private boolean autoAdvance = true;
    /** Whether {@link AsyncTesting#advanceBy} runs, letting the clock move up to {@link #limit} without auto-advance. */
    private boolean advancing;
    private long limit;

    /** A clock at virtual time zero, with auto-advance on. */
    public VirtualClock() {}

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves the clock to the timer the loop waits for; see the class comment. */
    @Override
    public void idle(long nanos) {
        if (!autoAdvance && !(advancing && now + nanos - limit <= 0)) {
            throw new IllegalStateException("every task waits for a timer " + Duration.ofNanos(nanos)
                    + " ahead, and this virtual clock's auto-advance is off: move it with AsyncTesting.advanceBy");
        }
        now += nanos;
    }

    /** Always true: see the class comment. */
    @Override
    public boolean isVirtual() {
        return true;
    }

    /**
     * The virtual time elapsed since the clock was made.
     *
     * @return a non-negative duration
     */
    public Duration now() {
        return Duration.ofNanos(now - ORIGIN);
    }

    /**
     * Whether the clock jumps to the next timer when every task is parked; on by default.
     *
     * @param on false to move time only through {@link AsyncTesting#advanceBy}
     */
    public void setAutoAdvance(boolean on) {
        autoAdvance = on;
    }

    /** Lets the clock move up to {@code deadline} (nanoTime) without auto-advance; for advanceBy. */
    void allowUntil(long deadline) {
        advancing = true;
        limit = deadline;
    }

    /** Ends {@link #allowUntil}. */
    void disallow() {
        advancing = false;
    }

    /**
     * Moves the clock forward at once. Timers that fall due by then wake at the loop's next
     * step, all in (deadline, sequence) order; to let each fall due at its own instant, with
     * the tasks it wakes running before the next one, use {@link AsyncTesting#advanceBy} from a task.
     *
     * @param duration how far, not negative
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    public void jump(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("virtual time cannot move back: " + duration);
        }
        now += duration.toNanos();
    }
}
