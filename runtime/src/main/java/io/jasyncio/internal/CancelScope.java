package io.jasyncio.internal;

import io.jasyncio.AsyncCallable;
import io.jasyncio.AsyncRunnable;
import java.util.concurrent.CancellationException;

/**
 * A region of one task's code that can cancel its own body, or that holds cancellations off:
 * the machinery of {@code Asyncio.timeout}/{@code timeoutAt} ({@link TimeoutScope}),
 * {@code Asyncio.shield} ({@link ShieldScope}) and {@code Asyncio.taskGroup}
 * ({@link GroupScope}), after Trio's cancel scopes.
 *
 * <h2>The body runs in the calling task</h2>
 * Unlike {@code waitFor}, a scope starts no task: it is a hand-woven suspending call that calls
 * its body directly, and when the body parks, the scope spills itself as the body's caller
 * frame (a scope is its own {@link Frame}, and its own timer). The scopes a task is in form a
 * stack, innermost first through {@link #parent}, whose top is kept in the task's rare fields
 * ({@code TaskCore.scope()}): a task that never enters a scope pays nothing.
 *
 * <h2>Which scope cancelled the task</h2>
 * A scope cancels its body by throwing a {@link ScopeCancellation}, a
 * {@code CancellationException} that names its origin, into the task where it is parked, as
 * {@code Task.cancel()} throws a plain one. So when a scope exits, the exception tells the two
 * apart: a plain {@code CancellationException} is a real cancel of the task and goes on as it
 * is; a scope that cancelled its body turns its own cancellation (or whatever the body ended
 * with instead) into its outcome, unless an enclosing scope of the task has cancelled too, in
 * which case the cancellation goes on out to it: the outermost cancelled scope wins. No field
 * of the task says any of this: the flags live in the scopes.
 *
 * <h2>Delivery</h2>
 * Cancellations are edge-triggered, like {@code Task.cancel()}: each cancelled scope throws its
 * cancellation once, so a body may catch it and clean up, parking again. A scope's cancellation
 * reaches the body when nothing between it and the innermost scope is a shield; otherwise it
 * waits, and the shield's exit asks for it to be thrown at the task's next suspension point
 * ({@code TaskCore.SCOPE_PENDING}, tested where {@code CANCEL_PENDING} is, so parking costs
 * nothing more). A {@code Task.cancel()} of a task in a shield stays pending the same way, in
 * {@code CANCEL_PENDING}. If the task already has a cancellation on its way (woken with one and
 * not run yet), a scope does not replace it: a real cancel is never turned into a timeout.
 * A cancellation thrown into the task also cancels at once the children of every task group it
 * crosses on its way out ({@link #cancelChildren}). When {@code Asyncio.run} ends and nothing
 * can wake a shielded task any more, a second cancel goes through the shield
 * ({@link #defersCancel}).
 *
 * <p>Rejected: a map from tasks to their scopes in the loop (a lookup on every cancel, and
 * entries to clean up); a field in every task for a feature few tasks use; level-triggered
 * cancellation as in Trio (every suspension point of a cancelled scope throws again), which
 * would break cleanup code that parks, a common Java idiom in {@code finally} blocks.
 */
public abstract class CancelScope extends TimerEntry {
    /** Frame state: the scope is parked while its body runs. */
    static final int BODY = 1;
    /** Frame state: the body ended and the scope waits (only a task group does). */
    static final int JOIN = 2;

    private static final Resumer RESUME = frame -> frame == null ? null : ((CancelScope) frame).resumed();

    /** The task whose code the scope is part of. */
    final TaskCore task;
    /** The scope this one is nested in, in the same task; null for the outermost. */
    final CancelScope parent;
    /** What {@code Coroutines.enter} names when the scope resumes: the public method. */
    private final String method;
    /** Whether this scope asked to cancel its body: its deadline passed, its group failed. */
    boolean cancelled;
    /** Whether a cancellation was thrown into the body since then (its own or an enclosing scope's). */
    boolean delivered;

    /** Enters the scope: it becomes the innermost of {@code task}, which must be running. */
    CancelScope(TaskCore task, String method) {
        this.task = task;
        this.method = method;
        this.parent = task.scope();
        task.setScope(this);
    }

    /** Whether cancellations from outside this scope wait until it exits. */
    boolean isShield() {
        return false;
    }

    /** A few words on why this scope cancels its body, for the {@link ScopeCancellation}'s message. */
    abstract String reason();

    /** Calls the body; may park (then the scope spills itself). */
    abstract Object callBody() throws Exception;

    /**
     * The body returned {@code result} or threw {@code thrown} (null when it returned): returns
     * what the scope's call returns, throws what it throws, or parks (a task group). The scope
     * must {@link #exit()} before it returns or throws.
     */
    abstract Object bodyEnded(EventLoop loop, Object result, Throwable thrown);

    /** The scope resumes at {@link #JOIN}; only scopes that park there override it. */
    Object joinResumed(EventLoop loop) {
        throw new IllegalStateException("scope " + this + " did not park");
    }

    /** Calls an {@code AsyncCallable} or {@code AsyncRunnable}. */
    static Object call(Object body) throws Exception {
        if (body instanceof AsyncCallable) {
            return ((AsyncCallable<?>) body).call();
        }
        ((AsyncRunnable) body).run();
        return null;
    }

    /** Runs the body in the calling task, as a hand-woven suspending call; the scope has been entered. */
    final Object run(EventLoop loop) {
        Object result = null;
        Throwable thrown = null;
        try {
            result = callBody();
        } catch (Throwable e) {
            thrown = e;
        }
        if (thrown == null && loop.parking) {
            spill(loop, BODY);
            return null;
        }
        return bodyEnded(loop, result, thrown);
    }

    /** Links the scope, as a frame, to what parked below it; see {@link PrimitiveFrames}. */
    final void spill(EventLoop loop, int at) {
        state = at;
        Coroutines.parked(this, RESUME, loop);
    }

    private Object resumed() {
        EventLoop loop = Coroutines.enter(method);
        Coroutines.resumeFrame(loop);
        if (state == JOIN) {
            return joinResumed(loop);
        }
        Object result = null;
        Throwable thrown = null;
        try {
            result = Coroutines.resumeValue(loop);
        } catch (Throwable e) {
            thrown = e;
        }
        return bodyEnded(loop, result, thrown);
    }

    /** Leaves the scope, which must be the task's innermost. */
    final void exit() {
        if (task.scope() != this) {
            throw new IllegalStateException("the cancel scopes of task " + task.name() + " were left out of order");
        }
        task.setScope(parent);
    }

    /** Cancels the body: see "Delivery" in the class comment. Does nothing the second time. */
    final void cancelBody() {
        if (!cancelled) {
            cancelled = true;
            deliver(task);
        }
    }

    /** The deadline passed. */
    @Override
    protected final void expire(EventLoop loop) {
        cancelBody();
    }

    /**
     * The outermost scope enclosing this one, with no shield in between, that has cancelled its
     * body; null when none. Its cancellation must go on past this scope.
     */
    final CancelScope cancelledAncestor() {
        CancelScope found = null;
        for (CancelScope scope = parent; scope != null && !scope.isShield(); scope = scope.parent) {
            if (scope.cancelled) {
                found = scope;
            }
        }
        return found;
    }

    /**
     * Throws the cancellation of the outermost scope, visible from the innermost one, that
     * cancelled its body and has not had it thrown: now, into the task parked or ready; at its
     * next suspension point when it is running.
     */
    static void deliver(TaskCore task) {
        if (task.state == TaskCore.DONE) {
            return;
        }
        CancelScope outermost = null;
        for (CancelScope scope = task.scope(); scope != null && !scope.isShield(); scope = scope.parent) {
            if (scope.cancelled && !scope.delivered) {
                outermost = scope;
            }
        }
        if (outermost == null) {
            return;
        }
        if (task.state == TaskCore.RUNNING) {
            task.flags |= TaskCore.SCOPE_PENDING;
            return;
        }
        for (CancelScope scope = task.scope(); scope != null && !scope.isShield(); scope = scope.parent) {
            scope.delivered |= scope.cancelled;
        }
        if (task.state == TaskCore.READY && (task.flags & TaskCore.FAILS) != 0 && task.value instanceof CancellationException) {
            return; // a cancellation is on its way already; it goes out through this scope too
        }
        task.loop.abandonWait(task);
        task.loop.wakeFailing(task, new ScopeCancellation(outermost));
        cancelChildren(task, outermost);
    }

    /**
     * A cancellation was just thrown into {@code task}: cancels at once the children of every
     * task group it crosses, from the innermost scope out to {@code last} (up to the first
     * shield when null), as a Trio cancel scope cancels every task inside it. Otherwise a group
     * would cancel its children only once its body had finished cleaning up.
     */
    static void cancelChildren(TaskCore task, CancelScope last) {
        for (CancelScope scope = task.scope(); scope != null && !scope.isShield(); scope = scope.parent) {
            if (scope instanceof GroupScope) {
                ((GroupScope) scope).cancelChildren();
            }
            if (scope == last) {
                return;
            }
        }
    }

    /**
     * Whether a shield defers a {@code Task.cancel()} of {@code task}, which is in a scope; the
     * cancel then stays pending ({@code CANCEL_PENDING}) until the task parks outside every
     * shield. When the loop is ending ({@code Asyncio.run}'s clean-up, no task running) and can
     * run nothing more, a cancel asked for a second time goes through the shield: its body
     * could never finish anyway, and run must return.
     */
    static boolean defersCancel(TaskCore task) {
        boolean shielded = false;
        for (CancelScope scope = task.scope(); scope != null; scope = scope.parent) {
            if (scope.isShield()) {
                shielded = true;
                break;
            }
        }
        if (!shielded) {
            return false;
        }
        EventLoop loop = task.loop;
        if ((task.flags & TaskCore.CANCEL_PENDING) != 0 && loop.current == null && loop.isStuck()) {
            task.flags &= ~TaskCore.CANCEL_PENDING;
            return false;
        }
        task.flags |= TaskCore.CANCEL_PENDING;
        return true;
    }
}
