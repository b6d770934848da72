package io.jasyncio.sync;

/**
 * Thrown by a {@link Queue} that was {@linkplain Queue#shutdown(boolean) shut down}: by
 * {@code put} and {@code offer} at once, and by {@code get} and {@code poll} once the queue is
 * empty (like Python's {@code asyncio.QueueShutDown}).
 */
public class QueueShutDownException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what was refused, naming the method
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
