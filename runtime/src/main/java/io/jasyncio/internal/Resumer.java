package io.jasyncio.internal;

/**
 * Re-enters the method that owns a {@link Frame}. The weaver makes one per woven method, as a
 * non-capturing lambda (one shared instance), that calls the method in resume mode; runtime
 * primitives that park with a frame of their own implement it by hand.
 */
@FunctionalInterface
public interface Resumer {
    /**
     * Resumes {@code frame}'s method where it parked. The value or failure it resumes with is
     * taken from the loop with {@link Coroutines#resumeValue(EventLoop)}.
     *
     * @param frame the frame to resume, the innermost frame of the task
     * @return what the method returned (boxed; {@code null} for {@code void}), meaningless when
     *     the method parked again
     * @throws Throwable whatever the method threw
     */
    Object resume(Frame frame) throws Throwable;
}
