package io.jasyncio;

/**
 * A coroutine body without a result. Lambdas and method references of this type are
 * {@code @Async} bodies: they may make suspending calls.
 */
@FunctionalInterface
public interface AsyncRunnable {
    /**
     * Runs the body.
     *
     * @throws Exception whatever the body throws
     */
    @Async
    void run() throws Exception;
}
