package io.jasyncio.internal;

/**
 * Told when a task ends, on the loop's thread, right after the task's awaiters were woken
 * ({@link TaskCore#addDoneCallback}). It must not throw. Used by the runtime's own machinery
 * (task groups) to learn of a child's end without a watcher task.
 */
@FunctionalInterface
interface DoneCallback {
    /**
     * The task has ended; its outcome can be read without parking.
     *
     * @param task the task that ended
     */
    void taskDone(TaskCore task);
}
