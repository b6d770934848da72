package io.jasyncio.testing;

import io.jasyncio.AsyncRunnable;
import io.jasyncio.Asyncio;
import io.jasyncio.Loop;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.NetworkSimulator;
import io.jasyncio.internal.TaskCore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs an async test body the way {@link AsyncTest} does, without JUnit: each schedule on a
 * fresh loop, with the checks described there. {@link AsyncTestExtension} calls it; tests that
 * search schedules themselves (for example to assert that a race is found) call it directly.
 *
 * <h2>One run</h2>
 * A new {@link EventLoop} with a {@link VirtualClock} (or the system clock), a
 * {@link SeededSchedule}, and, when asked, a simulated network whose seed is derived from the
 * schedule's ({@link AsyncTesting#networkSeed}); the body becomes its main task, named {@code test}. The loop's
 * exception handler collects the failures of tasks nobody retrieved. When main ends, the
 * schedule records what is left (tasks, timers, channel waits) with the task dump, before the
 * loop cancels it. The run fails with, in this order of precedence: the loop thread blocked past
 * the real-time bound; the timeout or step bound; main's failure; what was left behind; the first
 * unretrieved failure (later ones are added as suppressed).
 *
 * <h2>The loop's own thread</h2>
 * Every public method runs each schedule's loop on a new daemon thread, {@code jasyncio-test seed N}
 * (with the caller's context class loader), and the calling thread waits for it with a real-time
 * bound ({@link Settings#realTimeBound()}). The loop's timeout and step bound cannot stop a task
 * that blocks the loop's thread ({@code Thread.sleep}, a blocking queue, blocking I/O, a busy
 * loop): no step comes to check them. The waiting thread can: past the bound it takes the loop
 * thread's stack, interrupts it, gives it {@link #INTERRUPT_GRACE} to end, and fails the run with
 * an {@link AssertionError} carrying that stack, the place where the test was blocked. A thread
 * that does not end even then is left running (it is a daemon, so it keeps no JVM alive), as
 * JUnit's {@code assertTimeoutPreemptively} leaves its thread. So a body sees a thread of its
 * own: thread locals set by the caller are not visible in it (inheritable ones are copied).
 *
 * <p>Rejected: running the loop on the caller's thread with a watchdog that interrupts it, which
 * leaves the caller stuck when the interrupt is ignored; and a pool of loop threads, which a
 * blocked run would take out of service for good.
 */
public final class AsyncTestRunner {
    private static final Duration VIRTUAL_TIMEOUT = Duration.ofDays(30);
    private static final Duration REAL_TIMEOUT = Duration.ofSeconds(30);
    /** The real-time bound of a virtual-time run, unless set. */
    private static final Duration VIRTUAL_RUN_REAL_BOUND = Duration.ofSeconds(60);
    /** What a real-time run gets beyond its timeout before its thread counts as blocked, unless set. */
    private static final Duration REAL_RUN_GRACE = Duration.ofSeconds(10);
    /** How long a loop thread found blocked may take to end once interrupted, before it is left behind. */
    static final Duration INTERRUPT_GRACE = Duration.ofSeconds(2);

    private AsyncTestRunner() {}

    /**
     * How to run: the same meaning as the attributes of {@link AsyncTest}.
     *
     * @param seed the first seed; 0 is first-in first-out order
     * @param schedules how many seeds, from {@code seed} on; at least 1
     * @param timeoutMillis per schedule, of virtual or real time; 0 for the default
     * @param maxSteps loop steps per schedule
     * @param virtualTime whether the loop runs on a {@link VirtualClock}
     * @param simulatedNetwork whether the loop's datagrams go through a simulated network
     * @param realTimeoutMillis per schedule, the real time its loop thread may take whatever the
     *     clock; 0 for the default (see {@link AsyncTest#realTimeoutMillis()})
     */
    public record Settings(long seed, int schedules, long timeoutMillis, long maxSteps, boolean virtualTime,
            boolean simulatedNetwork, long realTimeoutMillis) {
        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException when {@code schedules < 1}, {@code timeoutMillis < 0},
         *     {@code maxSteps < 1} or {@code realTimeoutMillis < 0}
         */
        public Settings {
            if (schedules < 1 || timeoutMillis < 0 || maxSteps < 1 || realTimeoutMillis < 0) {
                throw new IllegalArgumentException("schedules must be at least 1, timeoutMillis and realTimeoutMillis "
                        + "not negative, maxSteps at least 1: " + schedules + ", " + timeoutMillis + ", "
                        + realTimeoutMillis + ", " + maxSteps);
            }
        }

        /**
         * Settings with the default real-time bound.
         *
         * @param seed the first seed; 0 is first-in first-out order
         * @param schedules how many seeds, from {@code seed} on; at least 1
         * @param timeoutMillis per schedule, of virtual or real time; 0 for the default
         * @param maxSteps loop steps per schedule
         * @param virtualTime whether the loop runs on a {@link VirtualClock}
         * @param simulatedNetwork whether the loop's datagrams go through a simulated network
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Settings(long seed, int schedules, long timeoutMillis, long maxSteps, boolean virtualTime,
                boolean simulatedNetwork) {
            this(seed, schedules, timeoutMillis, maxSteps, virtualTime, simulatedNetwork, 0);
        }

        /**
         * Settings without a simulated network.
         *
         * @param seed the first seed; 0 is first-in first-out order
         * @param schedules how many seeds, from {@code seed} on; at least 1
         * @param timeoutMillis per schedule, of virtual or real time; 0 for the default
         * @param maxSteps loop steps per schedule
         * @param virtualTime whether the loop runs on a {@link VirtualClock}
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Settings(long seed, int schedules, long timeoutMillis, long maxSteps, boolean virtualTime) {
            this(seed, schedules, timeoutMillis, maxSteps, virtualTime, false);
        }

        /**
         * The settings of an annotation.
         *
         * @param test the annotation
         * @return its values
         */
        public static Settings of(AsyncTest test) {
            return new Settings(test.seed(), test.schedules(), test.timeoutMillis(), test.maxSteps(), test.virtualTime(),
                    test.simulatedNetwork(), test.realTimeoutMillis());
        }

        /**
         * The defaults of {@link AsyncTest} with another seed and number of schedules.
         *
         * @param seed the first seed
         * @param schedules how many
         * @return the settings
         */
        public static Settings seeds(long seed, int schedules) {
            return new Settings(seed, schedules, 0, 10_000_000, true);
        }

        /**
         * These settings with a simulated network, or without one.
         *
         * @param on whether the loop's datagrams go through a simulated network
         * @return the settings
         */
        public Settings withSimulatedNetwork(boolean on) {
            return new Settings(seed, schedules, timeoutMillis, maxSteps, virtualTime, on, realTimeoutMillis);
        }

        /**
         * These settings with another real-time bound.
         *
         * @param millis the real time one schedule's loop thread may take; 0 for the default
         * @return the settings
         * @throws IllegalArgumentException when {@code millis} is negative
         */
        public Settings withRealTimeoutMillis(long millis) {
            return new Settings(seed, schedules, timeoutMillis, maxSteps, virtualTime, simulatedNetwork, millis);
        }

        /**
         * The timeout of one schedule, of the loop's clock: {@code timeoutMillis}, or its default.
         *
         * @return a positive duration
         */
        public Duration timeout() {
            return timeoutMillis > 0 ? Duration.ofMillis(timeoutMillis) : virtualTime ? VIRTUAL_TIMEOUT : REAL_TIMEOUT;
        }

        /**
         * The real time one schedule's loop thread may take before the run fails as blocked:
         * {@code realTimeoutMillis} when set; otherwise 60 seconds under virtual time, and
         * {@link #timeout()} plus 10 seconds in real time (the loop's own timeout comes first,
         * with its task dump, and the run has time to wind down).
         *
         * @return a positive duration
         */
        public Duration realTimeBound() {
            if (realTimeoutMillis > 0) {
                return Duration.ofMillis(realTimeoutMillis);
            }
            return virtualTime ? VIRTUAL_RUN_REAL_BOUND : timeout().plus(REAL_RUN_GRACE);
        }

        boolean seeded() {
            return seed != 0 || schedules > 1;
        }
    }

    /**
     * Runs {@code body} once per schedule of {@code settings} and throws the first failure.
     *
     * @param settings how to run
     * @param body the test, an {@code @Async} body
     * @throws Throwable the first failing schedule's failure: for a seeded run an
     *     {@link AssertionError} whose message starts with {@code seed N} and says how to replay
     *     it; otherwise the body's own failure as it is, or an {@code AssertionError} describing
     *     the timeout, what was left behind, or the unretrieved failure
     */
    public static void run(Settings settings, AsyncRunnable body) throws Throwable {
        Throwable failure = firstFailure(settings, body);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Like {@link #run}, returning the first failure instead of throwing it.
     *
     * @param settings how to run
     * @param body the test
     * @return the first failing schedule's failure as {@link #run} would throw it, or null when every schedule passed
     */
    public static Throwable firstFailure(Settings settings, AsyncRunnable body) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(body, "body");
        for (int i = 0; i < settings.schedules(); i++) {
            Throwable failure = runSchedule(settings, settings.seed() + i, body);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    /**
     * Runs one schedule: {@code body} on a fresh loop whose steps are ordered from {@code seed},
     * on a thread of its own that may take {@link Settings#realTimeBound()} (see the class
     * comment). Interrupting the caller meanwhile interrupts the loop thread too, and returns the
     * {@code InterruptedException} as the failure, with the caller's interrupt status set again.
     *
     * @param settings how to run; its seed and schedules only decide whether the failure names the seed
     * @param seed this run's seed
     * @param body the test
     * @return the failure, or null when the run passed
     */
    public static Throwable runSchedule(Settings settings, long seed, AsyncRunnable body) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(body, "body");
        LoopThread loop = new LoopThread(settings, seed, body);
        loop.setDaemon(true);
        loop.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        loop.start();
        Duration bound = settings.realTimeBound();
        try {
            TimeUnit.NANOSECONDS.timedJoin(loop, bound.toNanos());
        } catch (InterruptedException e) {
            loop.interrupt();
            Thread.currentThread().interrupt();
            return e;
        }
        if (!loop.isAlive()) {
            return loop.failure;
        }
        // blocked: where, then try to end it
        StackTraceElement[] where = loop.getStackTrace();
        loop.interrupt();
        boolean ended;
        try {
            TimeUnit.NANOSECONDS.timedJoin(loop, INTERRUPT_GRACE.toNanos());
            ended = !loop.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        AssertionError failure = blocked(prefix(settings, seed), loop.getName(), bound, where, ended);
        if (ended && loop.failure != null) {
            failure.addSuppressed(loop.failure); // how the run ended once interrupted
        }
        return failure;
    }

    /** The run of one schedule on its own thread; {@link #failure} is read after the thread ended. */
    private static final class LoopThread extends Thread {
        private final Settings settings;
        private final long seed;
        private final AsyncRunnable body;
        /** The run's failure, or null; written before the thread ends. */
        volatile Throwable failure;

        LoopThread(Settings settings, long seed, AsyncRunnable body) {
            super("jasyncio-test seed " + seed);
            this.settings = settings;
            this.seed = seed;
            this.body = body;
        }

        @Override
        public void run() {
            try {
                failure = runOnThisThread(settings, seed, body);
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    /** What a seeded run's failure message starts with; empty for a single unseeded run. */
    private static String prefix(Settings settings, long seed) {
        return settings.seeded() ? "seed " + seed + " failed (replay it with @AsyncTest(seed = " + seed + ")): " : "";
    }

    /**
     * The failure of a run whose loop thread outlived the real-time bound: the message names the
     * bound and lists the frames of the code that blocked (down to the runner's and loop's own
     * machinery), and the error's stack trace is the thread's whole stack at that moment.
     */
    private static AssertionError blocked(String prefix, String threadName, Duration bound, StackTraceElement[] where,
            boolean ended) {
        StringBuilder message = new StringBuilder(prefix).append("the loop thread ").append(threadName)
                .append(" was blocked for ").append(bound).append(" of real time (@AsyncTest(realTimeoutMillis)): ")
                .append("a task blocks it (Thread.sleep, a lock, a blocking queue, blocking I/O, a busy loop) instead "
                        + "of parking, or the run needs a longer bound; it was at:");
        int shown = 0;
        while (shown < where.length && !isMachinery(where[shown])) {
            shown++;
        }
        while (shown > 0 && isReflection(where[shown - 1])) {
            shown--;
        }
        for (int i = 0; i < (shown > 0 ? shown : where.length); i++) {
            StackTraceElement frame = where[i];
            if (!frame.getClassName().contains("$$Lambda")) { // a lambda's generated class; its body is the frame above
                message.append("\n\tat ").append(frame.getClassName()).append('.').append(frame.getMethodName())
                        .append('(').append(placeOf(frame)).append(')');
            }
        }
        if (!ended) {
            message.append("\nIt did not end when interrupted: the thread is left running, as a daemon.");
        }
        AssertionError failure = new AssertionError(message.toString());
        if (where.length > 0) {
            failure.setStackTrace(where);
        }
        return failure;
    }

    /** Where a frame is, as a stack trace prints it but without the class loader and module. */
    private static String placeOf(StackTraceElement frame) {
        if (frame.isNativeMethod()) {
            return "Native Method";
        }
        if (frame.getFileName() == null) {
            return "Unknown Source";
        }
        return frame.getLineNumber() < 0 ? frame.getFileName() : frame.getFileName() + ":" + frame.getLineNumber();
    }

    /**
     * A frame of the loop, of the runner, or of the weaver's resume path (a woven method's
     * {@code name$resume$N}), below the code of the test.
     */
    private static boolean isMachinery(StackTraceElement frame) {
        String owner = frame.getClassName();
        return owner.startsWith("io.jasyncio.internal.") || isOrIsIn(owner, AsyncTestRunner.class)
                || isOrIsIn(owner, AsyncTestExtension.class) || frame.getMethodName().contains("$resume$");
    }

    /** Whether the class named {@code owner} is {@code type} or one of its nested classes. */
    private static boolean isOrIsIn(String owner, Class<?> type) {
        return owner.equals(type.getName()) || owner.startsWith(type.getName() + "$");
    }

    private static boolean isReflection(StackTraceElement frame) {
        String owner = frame.getClassName();
        return owner.startsWith("java.lang.reflect.") || owner.startsWith("jdk.internal.reflect.");
    }

    /** Runs one schedule on the calling thread, which becomes the loop's; see the class comment. */
    private static Throwable runOnThisThread(Settings settings, long seed, AsyncRunnable body) {
        SeededSchedule schedule = new SeededSchedule(seed, settings.maxSteps());
        EventLoop.Clock clock = settings.virtualTime() ? new VirtualClock() : System::nanoTime;
        Duration timeout = settings.timeout();
        String timeoutText = "the test timed out after " + timeout + (settings.virtualTime() ? " of virtual time" : "")
                + " (@AsyncTest(timeoutMillis))";
        List<Loop.ExceptionContext> reports = new ArrayList<>();
        Throwable mainFailure = null;
        try {
            EventLoop.run(clock, schedule, loop -> {
                Asyncio.runningLoop().setExceptionHandler((face, context) -> reports.add(context));
                if (settings.simulatedNetwork()) {
                    loop.useNetwork(new NetworkSimulator(AsyncTesting.networkSeed(seed)));
                }
                TaskCore main = (TaskCore) Asyncio.createTask("test", () -> {
                    body.run();
                    return null;
                });
                schedule.start(loop, main, timeout.toNanos(), timeoutText);
                return main;
            });
        } catch (Throwable e) {
            mainFailure = e;
        } finally {
            schedule.cancelWatchdog(); // a deadlock ends the run before main does
        }
        String prefix = prefix(settings, seed);
        AssertionError failure;
        if (schedule.stopped != null) {
            failure = new AssertionError(prefix + schedule.stopped, mainFailure);
        } else if (mainFailure != null) {
            if (prefix.isEmpty()) {
                for (Loop.ExceptionContext report : reports) {
                    mainFailure.addSuppressed(report.exception());
                }
                return mainFailure;
            }
            failure = new AssertionError(prefix + mainFailure, mainFailure);
        } else if (schedule.leftBehind != null) {
            failure = new AssertionError(prefix + schedule.leftBehind);
        } else if (!reports.isEmpty()) {
            Loop.ExceptionContext first = reports.remove(0);
            failure = new AssertionError(prefix + "a task failed and nobody retrieved its failure: "
                    + first.message() + ": " + first.exception(), first.exception());
        } else {
            return null;
        }
        for (Loop.ExceptionContext report : reports) {
            if (report.exception() != null) {
                failure.addSuppressed(report.exception());
            }
        }
        return failure;
    }
}
