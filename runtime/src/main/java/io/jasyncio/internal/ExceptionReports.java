package io.jasyncio.internal;

import io.jasyncio.Loop;
import io.jasyncio.Task;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Exceptions that nobody else will see, handed to the loop's exception handler: a task's
 * failure that was never retrieved (reported when the loop finishes), and a callback given to
 * {@code callSoonThreadsafe} that threw. The handler is the one set on the loop's
 * {@link Loop} face, or the default, which prints to standard error.
 *
 * <p>A handler that throws loses nothing: its own failure and the report it was handling are
 * both printed by the default handler, and the loop goes on with the next report.
 */
public final class ExceptionReports {
    private ExceptionReports() {}

    /** Hands a report to {@code loop}'s handler; on the loop's thread; never throws. */
    static void report(EventLoop loop, String message, Throwable exception, TaskCore task) {
        Loop.ExceptionContext context = new Loop.ExceptionContext(message, exception, (Task<?>) task);
        Loop face = loop.inbox == null ? null : (Loop) loop.inbox.face;
        Loop.ExceptionHandler handler = face == null ? null : face.exceptionHandler();
        if (handler == null) {
            printDefault(context);
            return;
        }
        try {
            handler.handle(face, context);
        } catch (Throwable handlerFailure) {
            printDefault(new Loop.ExceptionContext("the exception handler " + handler + " failed while handling a report; "
                    + "the report follows", handlerFailure, context.task()));
            printDefault(context);
        }
    }

    /**
     * What the default handler does: prints {@code jasyncio: <message>:} and the exception's
     * stack trace (its async stack trace) to standard error, in one write.
     */
    public static void printDefault(Loop.ExceptionContext context) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        Throwable exception = context.exception();
        out.println("jasyncio: " + context.message() + (exception == null ? "" : ":"));
        if (exception != null) {
            exception.printStackTrace(out);
        }
        out.flush();
        System.err.print(text);
        System.err.flush();
    }
}
