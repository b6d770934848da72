package io.jasyncio.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code Asyncio.dumpTasks()}: the tasks of a loop as a forest of who awaits whom, like
 * Python 3.14's {@code asyncio pstree}, each task with its state, what it waits for and where
 * it is parked. The deadlock report of {@code Asyncio.run} is this dump under a headline.
 *
 * <h2>Shape</h2>
 * The children of a task are the tasks it awaits (as its wait site tells:
 * {@link WaitSite#awaitedTasks}), or, for a task parked on a {@code Lock}, the task that holds
 * the lock ({@link WaitSite#holder}): a lock waiter waits for its holder to release it as surely
 * as an awaiter waits for a task to end. The roots are the tasks no task waits for in these
 * ways, oldest first, so the main task usually comes first with the whole program under it. Lines are drawn in ASCII, as
 * {@code mvn dependency:tree} does, so that they survive any console encoding:
 * <pre>
 * Task-1 (parked) waiting for task Task-2
 * |   at demo.Main.lambda$main$0(Main.java:12)
 * \-- Task-2 (parked) waiting for sleep, 1.5 s left
 *         at demo.Main.nap(Main.java:5)
 *         at demo.Main.lambda$main$1(Main.java:10)
 * </pre>
 * A task awaited by several tasks is drawn in full under the first and named with
 * {@code (see above)} under the others. A task met again on the way down from itself closes a
 * cycle, which can never end: it is named with {@code (await cycle, see above)}, and every cycle
 * is listed after the trees ({@code await cycle: Task-2 -> Task-3 -> Task-2}). A cycle with at
 * least one edge through a lock (a lock-ordering deadlock, or a task awaiting a task that waits
 * for a lock it holds) is a <em>lock cycle</em>: marked {@code (lock cycle, see above)} and
 * listed with each lock edge labelled by the waiter's wait, which names the holder:
 * <pre>
 * lock cycle: A -(Lock held by B)-> B -(Lock held by A)-> A
 * lock cycle: Task-1 -> Task-2 -(Lock held by Task-1)-> Task-1
 * </pre>
 * Locks have no names, and identity hashes would make dumps differ from run to run; the
 * waiter's holder and the line it is parked at, drawn above, tell which lock it is.
 * Tasks reached from no root (those in a cycle nobody outside awaits, and those below it) are
 * drawn from a task of the cycle, the one found first going up from the oldest of them.
 *
 * <h2>Limits</h2>
 * The walk uses its own stack, not Java's, so a chain of a million awaits cannot overflow it;
 * indentation stops growing after {@link #MAX_INDENT} levels and the dump stops after
 * {@link #MAX_LINES} lines, saying how many tasks it left out, so that a deadlock among a
 * million tasks gives a message that can still be read.
 */
public final class TaskTree {
    static final int MAX_INDENT = 32;
    static final int MAX_LINES = 2_000;
    private static final String AWAIT_CYCLE = "await cycle: ";
    private static final String LOCK_CYCLE = "lock cycle: ";

    private final List<TaskCore> tasks;
    private final Map<TaskCore, List<TaskCore>> children = new IdentityHashMap<>();
    /** For each task awaited (or holding a lock waited for), the oldest task that waits for it. */
    private final Map<TaskCore, TaskCore> firstAwaiter = new IdentityHashMap<>();
    /** For each task parked on a lock another live task holds, that holder: its edges through locks. */
    private final Map<TaskCore, TaskCore> holders = new IdentityHashMap<>();
    private final Set<TaskCore> drawn = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The tasks on the way down from the root being drawn to the task being drawn. */
    private final Set<TaskCore> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<String> cycles = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();
    private int lines;

    /** A task on the way down: its children not drawn yet, and the prefix of their lines. */
    private static final class Step {
        final TaskCore task;
        final List<TaskCore> children;
        final String childPrefix;
        int next;

        Step(TaskCore task, List<TaskCore> children, String childPrefix) {
            this.task = task;
            this.children = children;
            this.childPrefix = childPrefix;
        }
    }

    private TaskTree(List<TaskCore> tasks) {
        this.tasks = tasks;
        for (TaskCore task : tasks) {
            List<TaskCore> awaitedByTask = Introspection.awaitedTasks(task);
            TaskCore holder = Introspection.holder(task);
            if (holder != null && !awaitedByTask.contains(holder)) {
                holders.put(task, holder);
                awaitedByTask = new ArrayList<>(awaitedByTask);
                awaitedByTask.add(holder);
            }
            children.put(task, awaitedByTask);
            for (TaskCore child : awaitedByTask) {
                firstAwaiter.putIfAbsent(child, task);
            }
        }
    }

    /**
     * The dump of {@code tasks}, the live tasks of one loop, oldest first; one line per task
     * and per parked method, each ending in a newline.
     */
    public static String dump(List<TaskCore> tasks) {
        return new TaskTree(tasks).draw();
    }

    /**
     * What the deadlock report says after its headline: how many tasks are parked, then the
     * dump.
     */
    static String deadlockReport(List<TaskCore> tasks) {
        return tasks.size() + (tasks.size() == 1 ? " task is" : " tasks are") + " parked:\n" + dump(tasks);
    }

    private String draw() {
        for (TaskCore task : tasks) {
            if (!firstAwaiter.containsKey(task) && lines < MAX_LINES) {
                drawFrom(task);
            }
        }
        for (TaskCore task : tasks) { // what no root reaches is, or hangs below, a cycle
            if (!drawn.contains(task) && lines < MAX_LINES) {
                drawFrom(cycleAbove(task));
            }
        }
        if (lines >= MAX_LINES) {
            int left = tasks.size() - drawn.size();
            out.append("... (the dump stops at ").append(MAX_LINES).append(" lines; ").append(left)
                    .append(left == 1 ? " task is" : " tasks are").append(" not shown)\n");
        }
        for (String cycle : cycles) {
            out.append(cycle).append('\n');
        }
        return out.toString();
    }

    /**
     * A task on an await cycle above {@code task}, which no root reaches: so neither does any
     * task that awaits it, and each is awaited in turn; going up, a task must come back.
     */
    private TaskCore cycleAbove(TaskCore task) {
        Set<TaskCore> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (seen.add(task)) {
            task = firstAwaiter.get(task);
        }
        return task;
    }

    /** Draws the tree of {@code root}, depth first, with an explicit stack. */
    private void drawFrom(TaskCore root) {
        Deque<Step> path = new ArrayDeque<>();
        enter(root, "", "", path);
        while (!path.isEmpty() && lines < MAX_LINES) {
            Step step = path.peek();
            if (step.next == step.children.size()) {
                onPath.remove(path.pop().task);
                continue;
            }
            TaskCore child = step.children.get(step.next++);
            boolean last = step.next == step.children.size();
            String linePrefix = step.childPrefix + (last ? "\\-- " : "+-- ");
            if (onPath.contains(child)) {
                String cycle = cycle(path, child);
                line(linePrefix + child.name() + (cycle.startsWith(LOCK_CYCLE) ? " (lock cycle, see above)"
                        : " (await cycle, see above)"));
                cycles.add(cycle);
            } else if (drawn.contains(child)) {
                line(linePrefix + child.name() + " (see above)");
            } else {
                String childPrefix = path.size() >= MAX_INDENT ? step.childPrefix
                        : step.childPrefix + (last ? "    " : "|   ");
                enter(child, linePrefix, childPrefix, path);
            }
        }
    }

    /** Draws {@code task}'s own line and parked methods, and puts it on the path. */
    private void enter(TaskCore task, String linePrefix, String childPrefix, Deque<Step> path) {
        drawn.add(task);
        List<TaskCore> taskChildren = children.getOrDefault(task, List.of());
        line(linePrefix + label(task));
        String stackPrefix = childPrefix + (taskChildren.isEmpty() ? "    " : "|   ") + "at ";
        for (StackTraceElement element : Introspection.stack(task)) {
            line(stackPrefix + element);
        }
        path.push(new Step(task, taskChildren, childPrefix));
        onPath.add(task);
    }

    /** {@code Task-2 (parked) waiting for sleep, 1.5 s left}. */
    static String label(TaskCore task) {
        String label = task.name() + " (" + Introspection.state(task) + ")";
        return task.state == TaskCore.PARKED ? label + " waiting for " + Introspection.describeWait(task) : label;
    }

    /**
     * {@code await cycle: Task-2 -> Task-3 -> Task-2}, or, when an edge goes through a lock,
     * {@code lock cycle: A -(Lock held by B)-> B -> A}: from {@code again} down the path and back
     * to it.
     */
    private String cycle(Deque<Step> path, TaskCore again) {
        List<TaskCore> members = new ArrayList<>();
        for (Step step : path) { // innermost first
            members.add(step.task);
            if (step.task == again) {
                break;
            }
        }
        Collections.reverse(members);
        members.add(again);
        StringBuilder text = new StringBuilder(again.name());
        boolean throughLock = false;
        for (int i = 1; i < members.size(); i++) {
            TaskCore waiter = members.get(i - 1);
            TaskCore waitedFor = members.get(i);
            if (holders.get(waiter) == waitedFor) {
                throughLock = true;
                text.append(" -(").append(Introspection.describeWait(waiter)).append(")-> ");
            } else {
                text.append(" -> ");
            }
            text.append(waitedFor.name());
        }
        return (throughLock ? LOCK_CYCLE : AWAIT_CYCLE) + text;
    }

    private void line(String text) {
        if (lines < MAX_LINES) {
            out.append(text).append('\n');
            lines++;
        }
    }
}
