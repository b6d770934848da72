package io.jasyncio;

/**
 * A coroutine body that returns a value. Lambdas and method references of this type are
 * {@code @Async} bodies: they may make suspending calls.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface AsyncCallable<T> {
    /**
     * Runs the body.
     *
     * @return the result, possibly {@code null}
     * @throws Exception whatever the body throws
     */
    @Async
    T call() throws Exception;
}
