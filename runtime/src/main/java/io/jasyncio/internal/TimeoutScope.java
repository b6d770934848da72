package io.jasyncio.internal;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The machinery of {@code Asyncio.timeout} and {@code timeoutAt}: a {@link CancelScope} whose
 * timer cancels its body, in the calling task, when the deadline passes, and which then ends in
 * a {@link TimeoutException}.
 *
 * <h2>What the scope throws when it exits</h2>
 * <pre>
 *   deadline not passed ........................ the body's outcome, as it is
 *   passed, body threw a plain Cancellation.... that exception (a real Task.cancel())
 *   passed, an enclosing scope cancelled too ... the cancellation, on to that scope
 *   passed, otherwise .......................... TimeoutException; cause: the body's failure
 *                                                other than a cancellation, if any
 * </pre>
 * So a body that catches the cancellation and returns normally still ends in a timeout, and
 * an inner scope never swallows an outer one's expiry.
 */
public final class TimeoutScope extends CancelScope {
    private final Object body;
    /** The public method, for messages: {@code Asyncio.timeout} or {@code Asyncio.timeoutAt}. */
    private final String method;
    /** How long the body was given, for messages. */
    private final Duration timeout;

    private TimeoutScope(TaskCore task, Object body, String method, Duration timeout) {
        super(task, "io.jasyncio." + method);
        this.body = body;
        this.method = method;
        this.timeout = timeout;
    }

    /**
     * Runs {@code body} until {@code deadline}, as {@code Asyncio.timeout} does: a hand-woven
     * suspending call.
     *
     * @param loop the running loop, as {@link Coroutines#enter} returned it
     * @param method {@code Asyncio.timeout} or {@code Asyncio.timeoutAt}, for messages
     * @param deadline when to cancel the body, on the loop's clock
     * @param timeout how long that is from now, for messages
     * @param body an {@code AsyncCallable} or {@code AsyncRunnable}
     * @return the body's result, when it did not park
     */
    public static Object timeout(EventLoop loop, String method, long deadline, Duration timeout, Object body) {
        TimeoutScope scope = new TimeoutScope(loop.currentTask(method), body, method, timeout);
        loop.addTimerAt(scope, deadline);
        return scope.run(loop);
    }

    @Override
    String reason() {
        return method + ": the body did not finish within " + timeout;
    }

    @Override
    Object callBody() throws Exception {
        return call(body);
    }

    @Override
    Object bodyEnded(EventLoop loop, Object result, Throwable thrown) {
        loop.removeTimer(this);
        exit();
        if (!cancelled || (thrown instanceof CancellationException && !(thrown instanceof ScopeCancellation))) {
            if (thrown != null) {
                throw Coroutines.<RuntimeException>sneakyThrow(thrown);
            }
            return result;
        }
        CancelScope outer = cancelledAncestor();
        if (outer != null) {
            if (thrown instanceof CancellationException) {
                throw (CancellationException) thrown;
            }
            ScopeCancellation cancellation = new ScopeCancellation(outer);
            if (thrown != null) {
                cancellation.addSuppressed(thrown);
            }
            throw cancellation;
        }
        boolean failed = thrown != null && !(thrown instanceof CancellationException);
        TimeoutException timedOut = new Expired(this, failed);
        if (failed) {
            timedOut.initCause(thrown);
        } else if (thrown != null) {
            for (Throwable suppressed : thrown.getSuppressed()) {
                timedOut.addSuppressed(suppressed);
            }
        }
        throw Coroutines.<RuntimeException>sneakyThrow(timedOut);
    }

    /**
     * The {@code TimeoutException} of an expired scope. Thrown by the loop as it resumes the
     * scope, so it takes no Java stack (that stack would only show the loop): its trace is the
     * async chain the loop adds as it passes from frame to frame, and its message is put into
     * words only when read. Timeouts are often caught and never looked at, as in a loop that
     * polls with a timeout; both would cost more than the rest of the timeout together.
     */
    private static final class Expired extends TimeoutException {
        private static final long serialVersionUID = 1L;

        private final transient TimeoutScope scope;
        private final boolean failed;

        Expired(TimeoutScope scope, boolean failed) {
            this.scope = scope;
            this.failed = failed;
        }

        @Override
        public String getMessage() {
            return scope.reason() + "; it was cancelled" + (failed ? " and failed, see the cause" : "");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
