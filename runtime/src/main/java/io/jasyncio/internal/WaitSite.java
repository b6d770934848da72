package io.jasyncio.internal;

/**
 * Something a parked task waits on: a timer, a channel, another task, a lock. When the task
 * is cancelled, the site forgets it, so that it takes nothing (no item, permit or lock) and,
 * if it had already been handed something, passes that on.
 */
public interface WaitSite {
    /**
     * Forgets {@code task}, which is parked on this site or was woken by it and has not run
     * yet. Called on the loop's thread, once.
     */
    void cancelWait(TaskCore task);
}
