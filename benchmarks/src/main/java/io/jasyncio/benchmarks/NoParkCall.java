package io.jasyncio.benchmarks;

import io.jasyncio.Asyncio;
import io.jasyncio.benchmarks.kotlin.KotlinWorkloads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The no-park call: a coroutine that returns without parking, called in a loop from a coroutine,
 * against the same plain method. Each invocation starts a loop and makes {@link #CALLS} calls, so
 * the loop's own start-up is spread over a million calls; JMH reports time per call and, with
 * {@code -prof gc}, bytes allocated per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NoParkCall {
    /** Calls per benchmark invocation. */
    static final int CALLS = 1_000_000;

    /** jasyncio: an {@code @Async} loop calls an {@code @Async} method that does not park. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long jasyncio() {
        return Asyncio.run(() -> JasyncioWorkloads.noParkLoop(CALLS));
    }

    /** Kotlin: a loop in {@code runBlocking} calls a suspending function that does not suspend. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long kotlin() {
        return KotlinWorkloads.noParkLoop(CALLS);
    }

    /** The same method, plain: what a virtual or platform thread runs. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long plain() {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            sum += plainAddOne(i);
        }
        return sum;
    }

    private static long plainAddOne(int x) {
        if (x < 0) {
            Thread.yield();
        }
        return x + 1L;
    }
}
