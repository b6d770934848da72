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
 * {@link WaitSite#awaitedTasks}); the roots are the tasks no task awaits, oldest first, so the
 * main task usually comes first with the whole program under it. Lines are drawn in ASCII, as
 * {@code mvn dependency:tree} does, so that they survive any console encoding:
 * <pre>
 * Task-1 (parked) waiting for task Task-2
 * |   at demo.Main.lambda$main$0(Main.java:12)
 * \-- Task-2 (parked) waiting for sleep, 1.5 s left
 *         at demo.Main.nap(Main.java:5)
 *         at demo.Main.lambda$main$1(Main.java:10)
 * </pre>
 * A task awaited by several tasks is drawn in full under the first and named with
 * {@code (see above)} under the others. A task met again on the way down from itself closes an
 * await cycle, which can never end: it is named with {@code (await cycle, see above)}, and
 * every cycle is listed after the trees ({@code await cycle: Task-2 -> Task-3 -> Task-2}).
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

    private final List<TaskCore> tasks;
    private final Map<TaskCore, List<TaskCore>> children = new IdentityHashMap<>();
    /** For each task awaited, the oldest task that awaits it. */
    private final Map<TaskCore, TaskCore> firstAwaiter = new IdentityHashMap<>();
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
            out.append("await cycle: ").append(cycle).append('\n');
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
                line(linePrefix + child.name() + " (await cycle, see above)");
                cycles.add(cycle(path, child));
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

    /** {@code Task-2 -> Task-3 -> Task-2}: from {@code again} down the path and back to it. */
    private static String cycle(Deque<Step> path, TaskCore again) {
        List<String> names = new ArrayList<>();
        for (Step step : path) { // innermost first
            names.add(step.task.name());
            if (step.task == again) {
                break;
            }
        }
        Collections.reverse(names);
        names.add(again.name());
        return String.join(" -> ", names);
    }

    private void line(String text) {
        if (lines < MAX_LINES) {
            out.append(text).append('\n');
            lines++;
        }
    }
}
