package io.jasyncio.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an {@code @Async} JUnit 5 test method that runs as the main task of a fresh event loop
 * (see {@link AsyncTestExtension}). The method must also carry {@link io.jasyncio.Async} and be
 * woven: test classes woven by {@code jasyncio-maven-plugin}'s {@code weave-tests} goal, or
 * loaded under the agent.
 *
 * <p>The test fails when the method throws; when a task it started failed and nobody
 * retrieved the failure; when, at the method's end, tasks, timers or channel waits are left
 * behind (the message holds the task dump); when it runs longer than its timeout; and when its
 * loop thread stays blocked past {@link #realTimeoutMillis()} (the message holds the blocked
 * thread's stack).
 *
 * <p>The annotation makes the method a JUnit test template: each schedule is an invocation of
 * its own, named {@code seed N} ({@code seed 17}; a single run with seed 0 keeps the method's
 * name), with a fresh test instance and its own {@code @BeforeEach} and {@code @AfterEach}
 * (under JUnit's default per-method lifecycle; with {@code @TestInstance(PER_CLASS)} the
 * schedules share the instance). The schedules stop at the first failing one, whose message
 * starts with its seed; the seeds after it are not run, reported as one skipped invocation
 * ({@code seeds 18 to 999}) that names the failed seed.
 *
 * <p>It may also be put on an annotation of the project's own, as
 * {@code @AsyncTest(schedules = 1000) @Retention(RUNTIME) @interface RaceTest {}}: a method
 * annotated {@code @RaceTest @Async} runs with those settings.
 *
 * <p>Each schedule's loop runs on a thread of its own, {@code jasyncio-test seed N}, not on
 * JUnit's: thread locals set in {@code @BeforeEach} are not visible to the test body
 * (inheritable ones are copied when the thread starts).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@TestTemplate
@ExtendWith(AsyncTestExtension.class)
public @interface AsyncTest {
    /**
     * The seed of the first schedule: the order in which the tasks made ready in one loop step
     * run is permuted from it (see {@link io.jasyncio.internal.Schedule} for exactly what may
     * move). 0 is the loop's own first-in first-out order. A failing run's message names its
     * seed; {@code @AsyncTest(seed = thatSeed)} replays the same interleaving exactly.
     *
     * @return the first seed
     */
    long seed() default 0;

    /**
     * How many schedules to run: seeds {@code seed()}, {@code seed() + 1}, ..., each one JUnit
     * invocation. The search stops at the first schedule that fails.
     *
     * @return at least 1
     */
    int schedules() default 1;

    /**
     * The time one schedule may take, in milliseconds: of virtual time under
     * {@link #virtualTime()}, of real time otherwise. 0 means the default: 30 days of virtual
     * time, 30 seconds of real time. When it runs out the main task is cancelled and the test
     * fails with the task dump taken at that moment.
     *
     * @return the timeout in milliseconds, or 0
     */
    long timeoutMillis() default 0;

    /**
     * The real time one schedule may take, in milliseconds, whatever its clock: the bound on a
     * test that blocks its loop thread ({@code Thread.sleep}, a lock, a blocking queue or
     * socket, a busy loop), which no step of the loop comes to stop, in virtual time as in real
     * time. Past it the loop thread's stack is taken, the thread is interrupted, and the test
     * fails with an {@link AssertionError} saying how long the thread was blocked, whose message
     * and stack trace show where; a thread that does not end when interrupted is left running as
     * a daemon. 0 means the default: 60 seconds under {@link #virtualTime()}; in real time the
     * {@linkplain #timeoutMillis() timeout} plus 10 seconds, so that the loop's own timeout,
     * with its task dump, comes first. A value set is used as it is in both.
     *
     * @return the bound in milliseconds of real time, or 0
     */
    long realTimeoutMillis() default 0;

    /**
     * The number of loop steps one schedule may take, whatever the clock says: it stops a test
     * whose tasks yield to each other for ever, which no amount of virtual time would.
     *
     * @return the bound on steps
     */
    long maxSteps() default 10_000_000;

    /**
     * Whether the loop runs on a {@link VirtualClock}: sleeps and timeouts take no real time,
     * and real channels are refused. False runs on the system clock.
     *
     * @return true for virtual time
     */
    boolean virtualTime() default true;

    /**
     * Whether the loop carries UDP datagrams ({@code Asyncio.send} and {@code receive}) and TCP
     * connections ({@code Asyncio.connect}, {@code accept}, {@code read}, {@code write}, the
     * streams) over a {@link io.jasyncio.SimulatedNetwork} instead of the kernel, as
     * {@code SimulatedNetwork.run} does. Each schedule gets a fresh network, with no latency, loss or partition until the
     * test sets them through {@link AsyncTesting#network()}; its seed is derived from the
     * schedule's seed ({@link AsyncTesting#networkSeed}), so replaying a failing seed replays
     * the network's latencies, losses, duplicates and reorderings too.
     *
     * @return true for a simulated network
     */
    boolean simulatedNetwork() default false;
}
