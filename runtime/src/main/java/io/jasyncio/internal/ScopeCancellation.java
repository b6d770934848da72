package io.jasyncio.internal;

import java.util.concurrent.CancellationException;

/**
 * The {@code CancellationException} a {@link CancelScope} throws into its own body: a timeout
 * whose deadline passed, a task group that had a failure. Code that catches
 * {@code CancellationException} sees no difference; the scope's exit tells it from a real
 * {@code Task.cancel()} by its {@link #origin}.
 */
final class ScopeCancellation extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** The scope that cancelled its body. */
    final transient CancelScope origin;

    ScopeCancellation(CancelScope origin) {
        this.origin = origin;
    }

    /** The scope's reason, put into words only when asked: most are caught and never read. */
    @Override
    public String getMessage() {
        return origin.reason();
    }

    /**
     * Takes no Java stack: the loop throws this into a parked task, from its own machinery, so
     * that stack would only show the loop. The trace is the async chain the loop adds to it as it
     * passes from frame to frame (see {@code AsyncStackTrace}), without the cost of turning a
     * Java stack into elements at every frame it crosses.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
