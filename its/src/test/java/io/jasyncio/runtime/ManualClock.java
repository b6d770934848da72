package io.jasyncio.runtime;

import io.jasyncio.internal.EventLoop;

/** Virtual time for a loop: it moves only when the loop idles, by exactly as long as it asks. */
final class ManualClock implements EventLoop.Clock {
    private static final long ORIGIN = 5_000_000_000L;
    private long now = ORIGIN;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void idle(long nanos) {
        now += nanos;
    }

    /** Milliseconds of virtual time since the clock was made. */
    long elapsedMillis() {
        return (now - ORIGIN) / 1_000_000;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }
}
