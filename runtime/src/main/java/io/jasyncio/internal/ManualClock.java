package io.jasyncio.internal;

/**
 * Virtual time at its simplest: the clock moves only when the loop idles, by exactly as long as
 * the loop asks, so every sleep and timeout falls due at once in real time and at its exact
 * instant in loop time. The simulated network runs on one, and so do the runtime's own tests;
 * {@code io.jasyncio.testing.VirtualClock} adds switching auto-advance off for tests.
 */
public final class ManualClock implements EventLoop.Clock {
    private final long origin;
    private long now;

    /**
     * @param origin the clock's first reading, in nanoseconds
     */
    public ManualClock(long origin) {
        this.origin = origin;
        this.now = origin;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void idle(long nanos) {
        now += nanos;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    /** Nanoseconds since the clock was made. */
    public long elapsed() {
        return now - origin;
    }

    /** Milliseconds since the clock was made, rounded down. */
    public long elapsedMillis() {
        return elapsed() / 1_000_000;
    }
}
