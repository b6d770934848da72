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
 * loop cancels it. The run fails with, in this order of precedence: the timeout or step
 * bound; main's failure; what was left behind; the first unretrieved failure (later ones
 * are added as suppressed).
 */
public final class AsyncTestRunner {
    private static final Duration VIRTUAL_TIMEOUT = Duration.ofDays(30);
    private static final Duration REAL_TIMEOUT = Duration.ofSeconds(30);

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
     */
    public record Settings(long seed, int schedules, long timeoutMillis, long maxSteps, boolean virtualTime,
            boolean simulatedNetwork) {
        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException when {@code schedules < 1}, {@code timeoutMillis < 0} or {@code maxSteps < 1}
         */
        public Settings {
            if (schedules < 1 || timeoutMillis < 0 || maxSteps < 1) {
                throw new IllegalArgumentException("schedules must be at least 1, timeoutMillis not negative, maxSteps "
                        + "at least 1: " + schedules + ", " + timeoutMillis + ", " + maxSteps);
            }
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
                    test.simulatedNetwork());
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
            return new Settings(seed, schedules, timeoutMillis, maxSteps, virtualTime, on);
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
     * Runs one schedule: {@code body} on a fresh loop whose steps are ordered from {@code seed}.
     *
     * @param settings how to run; its seed and schedules only decide whether the failure names the seed
     * @param seed this run's seed
     * @param body the test
     * @return the failure, or null when the run passed
     */
    public static Throwable runSchedule(Settings settings, long seed, AsyncRunnable body) {
        SeededSchedule schedule = new SeededSchedule(seed, settings.maxSteps());
        EventLoop.Clock clock = settings.virtualTime() ? new VirtualClock() : System::nanoTime;
        Duration timeout = settings.timeoutMillis() > 0 ? Duration.ofMillis(settings.timeoutMillis())
                : settings.virtualTime() ? VIRTUAL_TIMEOUT : REAL_TIMEOUT;
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
        String prefix = settings.seeded()
                ? "seed " + seed + " failed (replay it with @AsyncTest(seed = " + seed + ")): " : "";
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
