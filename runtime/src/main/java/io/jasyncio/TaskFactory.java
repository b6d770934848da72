package io.jasyncio;

import io.jasyncio.internal.EventLoop;

/** Creates {@link Task}s, whose constructor is not public. */
final class TaskFactory {
    private TaskFactory() {}

    static <T> Task<T> newTask(EventLoop loop, Object body, String name) {
        return new Task<>(loop, body, name);
    }
}
