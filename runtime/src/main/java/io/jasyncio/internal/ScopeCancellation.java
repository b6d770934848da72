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
        super(origin.reason());
        this.origin = origin;
    }
}
