package io.jasyncio.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a task says about itself for diagnostics: where it is parked ({@code Task.stack()}),
 * what it waits for ({@code Task.waitingFor()}) and a one-line label ({@code Task.toString()},
 * the lines of {@link TaskTree}).
 *
 * <h2>Why it costs nothing until asked</h2>
 * A parked task already holds everything needed: its chain of frames from {@code TaskCore.top}
 * outwards, each frame's resumer and suspension point (mapped to a method and line the way
 * async stack traces are, by {@link AsyncStackTrace}), and its {@code waitSite}, which
 * describes itself ({@link WaitSite#describe}). So nothing is recorded while tasks run; the
 * work is done here, on the loop's thread, when someone asks. Rejected: recording the place of
 * each park in the task (a field and a store per park, on the hottest path).
 */
public final class Introspection {
    private Introspection() {}

    /**
     * The {@code @Async} methods a task is parked in, innermost first, each with the line of the
     * suspending call it is parked at; empty when the task is not parked or ready to resume.
     * Frames of runtime primitives (gather, receive...) have no source lines and are left out.
     *
     * @param task a task of the loop running on this thread
     * @return an unmodifiable list
     * @throws IllegalStateException when called on another thread than the task's loop's
     */
    public static List<StackTraceElement> stack(TaskCore task) {
        task.loop.checkThread("Task.stack");
        if ((task.state != TaskCore.PARKED && task.state != TaskCore.READY) || !(task.top instanceof Frame)) {
            return List.of();
        }
        List<StackTraceElement> stack = new ArrayList<>();
        for (Frame frame = (Frame) task.top; frame != null; frame = frame.caller) {
            StackTraceElement element = AsyncStackTrace.element(frame);
            if (element != null) {
                stack.add(element);
            }
        }
        return Collections.unmodifiableList(stack);
    }

    /**
     * What a parked task waits for, as its wait site describes it; {@code ""} when the task is
     * not parked.
     *
     * @param task a task of the loop running on this thread
     * @return a short description
     * @throws IllegalStateException when called on another thread than the task's loop's
     */
    public static String waitingFor(TaskCore task) {
        task.loop.checkThread("Task.waitingFor");
        return task.state == TaskCore.PARKED ? describeWait(task) : "";
    }

    /** What a parked task waits for; never throws: a diagnostic must not fail. */
    static String describeWait(TaskCore task) {
        WaitSite site = task.waitSite;
        if (site == null) {
            return "nothing known";
        }
        try {
            return site.describe(task);
        } catch (RuntimeException broken) {
            return "something that cannot describe itself (" + broken + ")";
        }
    }

    /** The tasks a parked task awaits, not ended, each once; empty when it awaits none. */
    static List<TaskCore> awaitedTasks(TaskCore task) {
        if (task.state != TaskCore.PARKED || task.waitSite == null) {
            return List.of();
        }
        List<TaskCore> awaited = new ArrayList<>();
        try {
            for (TaskCore other : task.waitSite.awaitedTasks(task)) {
                if (other != null && other.state != TaskCore.DONE && !awaited.contains(other)) {
                    awaited.add(other);
                }
            }
        } catch (RuntimeException broken) {
            // a diagnostic: a site that cannot answer just has no children in the tree
        }
        return awaited;
    }

    /**
     * The task that holds what a parked task waits for (a lock's owner, as its wait site
     * tells: {@link WaitSite#holder}), when it has not ended and is not the task itself; null
     * otherwise.
     */
    static TaskCore holder(TaskCore task) {
        if (task.state != TaskCore.PARKED || task.waitSite == null) {
            return null;
        }
        try {
            TaskCore holder = task.waitSite.holder(task);
            return holder != null && holder != task && holder.state != TaskCore.DONE ? holder : null;
        } catch (RuntimeException broken) {
            return null; // a diagnostic: a site that cannot answer just has no holder in the tree
        }
    }

    /** The state as the labels show it: {@code parked}, {@code ready}, {@code failed: ...}. */
    static String state(TaskCore task) {
        switch (task.state) {
            case TaskCore.NEW: return "pending, not started";
            case TaskCore.READY: return "ready";
            case TaskCore.RUNNING: return "running";
            case TaskCore.PARKED: return "parked";
            default:
                return (task.flags & TaskCore.CANCELLED) != 0 ? "cancelled"
                        : task.failure() != null ? "failed: " + task.failure() : "done";
        }
    }

    /**
     * {@code Task.toString()}: {@code Task[Task-2, parked, waiting for sleep, 1.5 s left]}. What
     * the task waits for is told only on the loop's thread, the only one where it can be read
     * safely.
     */
    public static String toString(TaskCore task) {
        String text = "Task[" + task.name() + ", " + state(task);
        if (task.state == TaskCore.PARKED && Thread.currentThread() == task.loop.thread) {
            text += ", waiting for " + describeWait(task);
        }
        return text + "]";
    }

    /** A duration for people: {@code 1.5 s}, {@code 0.25 s}, {@code 3600 s}; to the millisecond. */
    public static String seconds(long nanos) {
        if (nanos <= 0) {
            return "0 s";
        }
        return BigDecimal.valueOf(nanos, 9).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + " s";
    }

    /** What a task waits for on a timer that falls due at {@code deadline}: {@code <what>, 1.5 s left}. */
    public static String timeLeft(String what, EventLoop loop, long deadline) {
        long left = deadline - loop.now();
        return what + (left <= 0 ? ", due now" : ", " + seconds(left) + " left");
    }

    /** A channel for diagnostics: its kind and local address, {@code DatagramChannel /127.0.0.1:5000}. */
    static String describeChannel(SelectableChannel channel) {
        String kind = channel instanceof DatagramChannel ? "DatagramChannel"
                : channel instanceof SocketChannel ? "SocketChannel"
                : channel instanceof ServerSocketChannel ? "ServerSocketChannel"
                : channel.getClass().getSimpleName();
        if (!(channel instanceof NetworkChannel)) {
            return kind;
        }
        try {
            SocketAddress local = ((NetworkChannel) channel).getLocalAddress();
            return local == null ? kind + " (not bound)" : kind + " " + local;
        } catch (IOException closed) {
            return kind + " (closed)";
        }
    }
}
