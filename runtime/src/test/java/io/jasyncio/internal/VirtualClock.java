package io.jasyncio.internal;

/** A manual clock: time moves only when the loop idles, by exactly as long as it asks. */
final class VirtualClock implements EventLoop.Clock {
    private long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void idle(long nanos) {
        now += nanos;
    }

    /** Nanoseconds since the clock was made. */
    long elapsed() {
        return now - 1_000_000_000L;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }
}
