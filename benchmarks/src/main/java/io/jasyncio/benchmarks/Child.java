package io.jasyncio.benchmarks;

import io.jasyncio.benchmarks.kotlin.KotlinWorkloads;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The main class of each measured JVM: runs workloads on one system and prints one line
 * {@code RESULT <figure> <value>} per measured iteration, for {@link Runner} to read.
 *
 * <pre>
 * java ... io.jasyncio.benchmarks.Child SYSTEM WARMUPS ITERATIONS WORKLOAD:SIZE[:EXTRA]...
 * </pre>
 *
 * <p>Workloads: {@code switch:TASK_SWITCHES}, {@code spawn:TASKS},
 * {@code sleepers:TASKS:SLEEP_MS} (then one more run that measures the heap while all sleep), {@code deep:PARKS:DEPTH}, {@code udp:REQUESTS:CLIENTS},
 * {@code timeouts:TASKS:HOURS} (in virtual time; jasyncio and Kotlin only). Each
 * workload checks its own result (tasks finished, echoes received, sums) and the JVM exits with
 * status 1 and a message naming what was wrong if a check fails.
 */
public final class Child {
    /** How long the sleepers sleep in the run that measures the heap, before they are cancelled. */
    private static final int HEAP_RUN_SLEEP_MILLIS = 3_600_000;

    private Child() {}

    /** Runs the workloads given on the command line; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: Child SYSTEM WARMUPS ITERATIONS WORKLOAD:SIZE[:EXTRA]...");
        }
        SystemId system = SystemId.of(args[0]);
        int warmups = Integer.parseInt(args[1]);
        int iterations = Integer.parseInt(args[2]);
        for (int i = 3; i < args.length; i++) {
            String[] spec = args[i].split(":");
            String workload = spec[0];
            int size = Integer.parseInt(spec[1]);
            int extra = spec.length > 2 ? Integer.parseInt(spec[2]) : 0;
            for (int n = 0; n < warmups + iterations; n++) {
                double value = run(system, workload, size, extra, /* measureHeap = */ false);
                if (n >= warmups) {
                    print(figure(workload, extra), value);
                }
            }
            if (workload.equals("sleepers")) {
                // Sleeps far longer than the measurement lasts, then cancelled: no sleeper can wake
                // during a slow full GC and leave the heap before it is measured.
                print("sleepers.bytes", run(system, workload, size, HEAP_RUN_SLEEP_MILLIS, /* measureHeap = */ true));
            }
        }
    }

    private static String figure(String workload, int extra) {
        switch (workload) {
            case "deep":
            case "udp":
                return workload + "." + extra;
            case "sleepers":
                return "sleepers.ms";
            default:
                return workload;
        }
    }

    private static void print(String figure, double value) {
        System.out.println(String.format(Locale.ROOT, "RESULT %s %.4f", figure, value));
    }

    /** One run of {@code workload}: its figure (sleepers: wall ms, or heap bytes per task when {@code measureHeap}). */
    static double run(SystemId system, String workload, int size, int extra, boolean measureHeap) throws Exception {
        switch (workload) {
            case "switch":
                return system.switchNanos(size);
            case "spawn":
                return system.spawnNanos(size);
            case "sleepers":
                long[] figures = system.sleepers(size, extra, measureHeap);
                return measureHeap ? figures[1] : figures[0] / 1e6;
            case "deep":
                return system.deepNanos(extra, size);
            case "udp":
                return system.udpRequestsPerSecond(extra, size);
            case "timeouts":
                return system.virtualTimeoutsMillis(size, extra);
            default:
                throw new IllegalArgumentException("unknown workload " + workload
                        + " (expected switch, spawn, sleepers, deep, udp or timeouts)");
        }
    }

    /** The systems a child JVM can run; each maps the workloads to its own implementation. */
    enum SystemId {
        JASYNCIO, VIRTUAL, PLATFORM, KOTLIN, NIO;

        static SystemId of(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown system " + name
                        + " (expected jasyncio, virtual, platform, kotlin or nio)", e);
            }
        }

        double switchNanos(int perTask) {
            switch (this) {
                case JASYNCIO: return JasyncioWorkloads.switchNanos(perTask);
                case VIRTUAL: return ThreadWorkloads.virtualThreads().switchNanos(perTask);
                case PLATFORM: return ThreadWorkloads.platformThreads().switchNanos(perTask);
                case KOTLIN: return KotlinWorkloads.switchNanos(perTask);
                default: throw unsupported("switch");
            }
        }

        double spawnNanos(int count) {
            switch (this) {
                case JASYNCIO: return JasyncioWorkloads.spawnNanos(count);
                case VIRTUAL: return ThreadWorkloads.virtualThreads().spawnNanos(count);
                case PLATFORM: return ThreadWorkloads.platformThreads().spawnNanos(count);
                case KOTLIN: return KotlinWorkloads.spawnNanos(count);
                default: throw unsupported("spawn");
            }
        }

        long[] sleepers(int count, long sleepMillis, boolean measureHeap) {
            LongSupplier heap = measureHeap ? Heap::liveBytes : null;
            switch (this) {
                case JASYNCIO: return JasyncioWorkloads.sleepers(count, sleepMillis, heap);
                case VIRTUAL: return ThreadWorkloads.virtualThreads().sleepers(count, sleepMillis, heap);
                case PLATFORM: return ThreadWorkloads.platformThreads().sleepers(count, sleepMillis, heap);
                case KOTLIN: return KotlinWorkloads.sleepers(count, sleepMillis, heap);
                default: throw unsupported("sleepers");
            }
        }

        double deepNanos(int depth, int parks) {
            switch (this) {
                case JASYNCIO: return JasyncioWorkloads.deepNanos(depth, parks);
                case VIRTUAL: return ThreadWorkloads.virtualThreads().deepNanos(depth, parks);
                case KOTLIN: return KotlinWorkloads.deepNanos(depth, parks);
                default: throw unsupported("deep");
            }
        }

        double udpRequestsPerSecond(int clients, int requests) throws Exception {
            switch (this) {
                case JASYNCIO: return JasyncioWorkloads.udpRequestsPerSecond(clients, requests);
                case VIRTUAL: return ThreadWorkloads.virtualThreads().udpRequestsPerSecond(clients, requests);
                case PLATFORM: return ThreadWorkloads.platformThreads().udpRequestsPerSecond(clients, requests);
                case KOTLIN: return KotlinWorkloads.udpRequestsPerSecond(clients, requests);
                case NIO: return NioEchoLoop.udpRequestsPerSecond(clients, requests);
                default: throw unsupported("udp");
            }
        }

        double virtualTimeoutsMillis(int tasks, int hours) {
            switch (this) {
                case JASYNCIO: return JasyncioWorkloads.virtualTimeoutsMillis(tasks, hours);
                case KOTLIN: return KotlinWorkloads.virtualTimeoutsMillis(tasks, hours);
                default: throw unsupported("timeouts (it needs a virtual clock)");
            }
        }

        private IllegalArgumentException unsupported(String workload) {
            return new IllegalArgumentException("system " + name().toLowerCase(Locale.ROOT) + " has no " + workload + " workload");
        }
    }
}
