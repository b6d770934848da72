package io.jasyncio.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an {@code @Async} JUnit 5 test method that runs as the main task of a fresh event loop
 * (see {@link AsyncTestExtension}). The method must also carry {@link io.jasyncio.Async} and be
 * woven: test classes woven by {@code jasyncio-maven-plugin}'s {@code weave-tests} goal, or
 * loaded under the agent.
 *
 * <p>The test fails when the method throws; when a task it started failed and nobody
 * retrieved the failure; when, at the method's end, tasks, timers or channel waits are left
 * behind (the message holds the task dump); when it runs longer than its timeout. Runs of
 * several schedules stop at the first failing one, whose seed the message starts with.
 *
 * <p>With several {@link #schedules()} the same test instance runs each of them: keep the
 * state a run changes in local variables, or reset it at the method's start.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Test
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
     * How many schedules to run: seeds {@code seed()}, {@code seed() + 1}, ... The test fails at
     * the first schedule that fails.
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
