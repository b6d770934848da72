package io.jasyncio;

/**
 * A coroutine that takes one argument, such as the body of {@link Asyncio#taskGroup}: a lambda
 * or method reference of this interface is an {@code @Async} body.
 *
 * @param <A> the type of the argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface AsyncFunction<A, R> {
    /**
     * Runs the coroutine; may park.
     *
     * @param argument the argument
     * @return the result
     * @throws Exception anything the coroutine throws
     */
    @Async
    R apply(A argument) throws Exception;
}
