package io.jasyncio.internal;

import io.jasyncio.AsyncCallable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The machinery of {@code Asyncio.waitFor}: the body runs as a task of its own, and the caller
 * parks on this object until the body ends, the timeout falls due, or the caller is cancelled.
 *
 * <h2>States of the caller</h2>
 * <pre>
 *   WAITING  -- body ended --------------------------------------> its outcome
 *      |     -- caller cancelled ------------------------+
 *      | timeout fell due                                |
 *      v                                                 v
 *   GRACE (one more loop step) -- body ended --> its   STOPPING: cancel the body, await its
 *      |                                         outcome   end, then throw the caller's
 *      +-- body still running: timed out ------------>     CancellationException or a
 *                                                          TimeoutException
 * </pre>
 * The grace step makes a result that arrives in the same loop step as the timeout win: the
 * timer wakes the caller before the tasks of that step run, so the caller yields once and looks
 * again after them. The body is wrapped so that its end wakes the caller directly (the caller
 * does not await the task, which would tie it to one site); this object is also the timer.
 */
public final class WaitFor extends TimerEntry implements WaitSite {
    private static final int WAITING = 1;
    private static final int GRACE = 2;
    private static final int STOPPING = 3;
    private static final Resumer WAIT_FOR = frame -> frame == null ? null : ((WaitFor) frame.refs[0]).resumed();

    private final TaskCore caller;
    private final Duration timeout;
    private TaskCore body;
    /** Whether the caller is parked on this object (WAITING) and nothing has woken it yet. */
    private boolean callerParked;
    private boolean timedOut;
    /** The caller's own cancellation, thrown once the body has ended. */
    private CancellationException cancelled;

    private WaitFor(TaskCore caller, Duration timeout) {
        this.caller = caller;
        this.timeout = timeout;
    }

    /**
     * Runs {@code body} as {@code Asyncio.waitFor} does: a hand-woven suspending call.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @param timeout how long the body may run, not negative
     * @param body the user's body
     * @param spawner makes and schedules the body's task from its body
     * @return the body's result, when the caller did not park
     */
    public static Object waitFor(EventLoop loop, Duration timeout, AsyncCallable<?> body,
            Function<AsyncCallable<?>, TaskCore> spawner) {
        WaitFor waitFor = new WaitFor(loop.currentTask("Asyncio.waitFor"), timeout);
        waitFor.body = spawner.apply(new Body(waitFor, body));
        long nanos;
        try {
            nanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 4;
        }
        loop.addTimer(waitFor, nanos);
        waitFor.callerParked = true;
        loop.suspend(waitFor.caller, waitFor, null);
        PrimitiveFrames.spill(loop, null, WAIT_FOR, WAITING, waitFor);
        return null;
    }

    /** The caller resumes: see the states in the class comment. */
    private Object resumed() {
        EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.waitFor");
        Frame frame = Coroutines.resumeFrame(loop);
        Throwable thrown = null;
        try {
            Coroutines.resumeValue(loop);
        } catch (Throwable e) {
            thrown = e;
        }
        if (thrown instanceof CancellationException && thrown != (body.isDone() ? body.failure() : null) && cancelled == null) {
            cancelled = (CancellationException) thrown; // the caller's own, not the body's outcome
        }
        if (frame.state == STOPPING || body.isDone()) {
            return awaitBody(loop, frame);
        }
        if (cancelled != null) {
            return stop(loop, frame);
        }
        if (frame.state == WAITING) {
            loop.sleep(0); // GRACE: let the tasks of this step run before deciding
            PrimitiveFrames.spill(loop, frame, WAIT_FOR, GRACE, this);
            return null;
        }
        timedOut = true;
        return stop(loop, frame);
    }

    /** Cancels the body and awaits its end. */
    private Object stop(EventLoop loop, Frame frame) {
        body.cancel();
        return awaitBody(loop, frame);
    }

    /** Parks until the body has ended, then returns or throws the outcome. */
    private Object awaitBody(EventLoop loop, Frame frame) {
        loop.removeTimer(this);
        if (!body.isDone()) {
            body.awaitTask();
            PrimitiveFrames.spill(loop, frame, WAIT_FOR, STOPPING, this);
            return null;
        }
        Object result = null;
        Throwable failure = null;
        try {
            result = body.resultNow();
        } catch (Throwable e) {
            failure = e;
        }
        Throwable unexpected = failure instanceof CancellationException ? null : failure;
        if (cancelled != null) {
            if (unexpected != null) {
                cancelled.addSuppressed(unexpected);
            }
            throw cancelled;
        }
        if (timedOut) {
            TimeoutException timeoutException = new TimeoutException("Asyncio.waitFor: the body did not finish within "
                    + timeout + "; it was cancelled" + (unexpected == null ? "" : " and failed, see the cause"));
            timeoutException.initCause(unexpected);
            throw Coroutines.<RuntimeException>sneakyThrow(timeoutException);
        }
        if (failure != null) {
            throw Coroutines.<RuntimeException>sneakyThrow(failure);
        }
        return result;
    }

    /** The body ended: wake the caller if it waits here. */
    void bodyEnded(EventLoop loop) {
        loop.removeTimer(this);
        wakeCaller(loop);
    }

    @Override
    protected void expire(EventLoop loop) {
        wakeCaller(loop);
    }

    private void wakeCaller(EventLoop loop) {
        if (callerParked) {
            callerParked = false;
            loop.wake(caller, null, null);
        }
    }

    /** The caller was cancelled while parked here (or after it was woken, before it ran). */
    @Override
    public void cancelWait(TaskCore task) {
        callerParked = false;
    }

    /** {@code waitFor of Task-5, 0.5 s left}: the caller waits for the body or the timeout. */
    @Override
    public String describe(TaskCore task) {
        return Introspection.timeLeft("waitFor of " + body.name(), caller.loop, deadline);
    }

    @Override
    public List<TaskCore> awaitedTasks(TaskCore task) {
        return List.of(body);
    }

    /** The body's task: runs the user's body, then tells the caller. Hand-woven. */
    private static final class Body implements AsyncCallable<Object> {
        private static final Resumer BODY = frame -> frame == null ? null : ((Body) frame.refs[0]).call();

        private final WaitFor waitFor;
        private final AsyncCallable<?> body;

        Body(WaitFor waitFor, AsyncCallable<?> body) {
            this.waitFor = waitFor;
            this.body = body;
        }

        @Override
        public Object call() {
            EventLoop loop = Coroutines.enter("io.jasyncio.Asyncio.waitFor");
            Frame frame = Coroutines.resumeFrame(loop);
            Object result;
            try {
                result = frame == null ? body.call() : Coroutines.resumeValue(loop);
            } catch (Throwable failure) {
                waitFor.bodyEnded(loop);
                throw Coroutines.<RuntimeException>sneakyThrow(failure);
            }
            if (loop.parking) {
                PrimitiveFrames.spill(loop, frame, BODY, /* state = */ 1, this);
                return null;
            }
            waitFor.bodyEnded(loop);
            return result;
        }
    }
}
