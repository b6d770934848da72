package io.jasyncio.weaver.corpus;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One run of a fixture program's {@code public static void main(String[])}, with what it printed
 * on {@code System.out} and {@code System.err} and how it ended. The program runs in a thread of
 * its own, so that a woven method that never returns fails the test after a timeout instead of
 * hanging the build.
 *
 * @param stdout what the program printed, with {@code \n} line ends
 * @param stderr what it printed on the error stream
 * @param failure what {@code main} threw (unwrapped from reflection), or {@code null}
 * @param timedOut whether it was still running after the timeout
 * @param hangingStack where the program's thread was when it timed out, or {@code null}
 */
record ProgramRun(String stdout, String stderr, Throwable failure, boolean timedOut, String hangingStack) {

    /** Loads {@code className} from {@code loader} and runs its {@code main}, for at most {@code timeout}. */
    static ProgramRun run(ClassLoader loader, String className, Duration timeout, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                Method main = Class.forName(className, true, loader).getMethod("main", String[].class);
                main.invoke(null, (Object) args.clone());
            } catch (InvocationTargetException e) {
                failure[0] = e.getCause();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "fixture-" + className.substring(className.lastIndexOf('.') + 1));
        thread.setDaemon(true);
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        boolean timedOut;
        String hangingStack = null;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            thread.start();
            thread.join(timeout.toMillis());
            timedOut = thread.isAlive();
            if (timedOut) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement element : thread.getStackTrace()) {
                    stack.append("\tat ").append(element).append('\n');
                }
                hangingStack = stack.toString();
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + className, e);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new ProgramRun(text(out), text(err), timedOut ? null : failure[0], timedOut, hangingStack);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    /** Everything about the run that is not its standard output, for failure messages. */
    String describeProblems() {
        StringBuilder text = new StringBuilder();
        if (timedOut) {
            text.append("still running after the timeout, at:\n").append(hangingStack);
        }
        if (failure != null) {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            text.append("main threw:\n").append(trace);
        }
        if (!stderr.isEmpty()) {
            text.append("standard error:\n").append(stderr);
        }
        return text.toString();
    }
}
