package io.jasyncio.internal;

/**
 * A test's hand on the loop (used by {@code io.jasyncio.testing}); a loop made without one, as
 * every production loop is, pays one null check per step for it.
 *
 * <h2>What a schedule may reorder</h2>
 * A step runs the tasks that became ready since the previous step's tasks began to run: first
 * those made ready by the previous step's tasks, by other threads and by channels (the
 * <em>made</em> part, first-in first-out), then those woken by timers that fell due at the
 * start of this step (the <em>timed</em> part, in (deadline, sequence) order). Without a
 * schedule the step runs them in exactly that order. With one, {@link #choose} permutes the
 * made part freely and merges the timed part into it, keeping the timed tasks' own order; so
 * the contract's timer tie-break still holds, and every task of one step still runs before any
 * task made ready during it (first-in first-out across steps). What a schedule gives up is the
 * order within one step, including "a new task runs after every task already ready" among tasks
 * made ready in the same step. A schedule whose {@code choose} always returns 0 keeps the
 * order exactly as without one.
 */
public interface Schedule {
    /**
     * A number in {@code [0, bound)}; decides the order of one step's ready tasks.
     *
     * @param bound at least 2
     * @return a number from 0 inclusive to {@code bound} exclusive
     */
    int choose(int bound);

    /**
     * Called at every step, after its timers fell due, before its tasks run. It may cancel
     * tasks (a test's budget of time or steps ran out). It should not throw: an exception ends
     * {@code run} at once, without cancelling the tasks, which is only right as the last resort
     * against tasks that ignore their cancellation.
     *
     * @param loop the loop stepping
     */
    void beforeRun(EventLoop loop);

    /**
     * Called once when the main task of {@link EventLoop#run(EventLoop.Clock, Schedule, java.util.function.Function)}
     * has ended, before the tasks it left behind are cancelled: the moment to see what it left.
     *
     * @param loop the loop
     * @param main the main task, ended
     */
    void mainEnded(EventLoop loop, TaskCore main);
}
