package io.jasyncio.internal;

import java.util.List;

/**
 * Something a parked task waits on: a timer, a channel, another task, a lock. When the task
 * is cancelled, the site forgets it, so that it takes nothing (no item, permit or lock) and,
 * if it had already been handed something, passes that on.
 *
 * <p>A site also describes itself for diagnostics ({@code Task.waitingFor},
 * {@code Asyncio.dumpTasks}, the deadlock report), so that each kind of wait says what it is
 * where it is defined, instead of a switch over every kind in one place. Those two methods
 * are only called on the loop's thread for a task parked on the site, and must not change
 * anything.
 */
public interface WaitSite {
    /**
     * Forgets {@code task}, which is parked on this site or was woken by it and has not run
     * yet. Called on the loop's thread, once.
     */
    void cancelWait(TaskCore task);

    /**
     * What {@code task}, parked on this site, waits for, in a few words: {@code "Lock held by
     * Task-2"}, {@code "sleep, 1.5 s left"}. Deterministic (no identity hashes) so that dumps
     * can be compared.
     *
     * @param task a task parked on this site
     * @return a short description, never null
     */
    default String describe(TaskCore task) {
        String name = getClass().getName();
        int lambda = name.indexOf("$$");
        return "a wait site of " + (lambda < 0 ? name : name.substring(0, lambda));
    }

    /**
     * The tasks whose end {@code task}, parked on this site, waits for: the awaited task of
     * {@code Task.await}, the children of {@code gather}. They are its children in the tree of
     * {@code Asyncio.dumpTasks}. Empty for a site that waits for no task's end (a timer, a
     * lock: see {@link #holder}).
     *
     * @param task a task parked on this site
     * @return the tasks awaited, possibly some that have ended; never null
     */
    default List<TaskCore> awaitedTasks(TaskCore task) {
        return List.of();
    }

    /**
     * The task that holds what {@code task}, parked on this site, waits for, and whose release
     * of it would let {@code task} go on: the owner of a {@code Lock}. The dump draws it as a
     * child of {@code task}, and an edge of a cycle through it is a lock cycle. Null for a site
     * where nobody in particular holds anything (a timer, an event: any task may set it; a
     * semaphore: permits are not owned).
     *
     * @param task a task parked on this site
     * @return the holder, possibly a task that has ended; null when none
     */
    default TaskCore holder(TaskCore task) {
        return null;
    }
}
