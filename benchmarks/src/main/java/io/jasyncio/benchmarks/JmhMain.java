package io.jasyncio.benchmarks;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link NoParkCall} under JMH and prints each measured iteration as
 * {@code RESULT nopark.<benchmark>.ns <ns per call>} and, with the GC profiler,
 * {@code RESULT nopark.<benchmark>.bytes <bytes per call>}.
 *
 * <pre>
 * java ... io.jasyncio.benchmarks.JmhMain BENCHMARKS FORKS WARMUPS ITERATIONS MILLIS_PER_ITERATION gc|nogc
 * </pre>
 *
 * <p>BENCHMARKS is a comma-separated list of {@link NoParkCall}'s methods. Forked JVMs inherit
 * this JVM's options, {@code -javaagent} included, and run on this JVM's {@code java}.
 */
public final class JmhMain {
    private JmhMain() {}

    /** See the class comment. */
    public static void main(String[] args) throws RunnerException {
        String include = NoParkCall.class.getName().replace(".", "\\.") + "\\.(" + args[0].replace(',', '|') + ")$";
        TimeValue time = TimeValue.milliseconds(Long.parseLong(args[4]));
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .forks(Integer.parseInt(args[1]))
                .warmupIterations(Integer.parseInt(args[2]))
                .measurementIterations(Integer.parseInt(args[3]))
                .warmupTime(time)
                .measurementTime(time)
                .jvm(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .shouldFailOnError(true);
        if (args[5].equals("gc")) {
            options.addProfiler(GCProfiler.class);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        if (results.isEmpty()) {
            throw new IllegalStateException("JMH ran no benchmark matching " + include);
        }
        for (RunResult run : results) {
            String benchmark = run.getParams().getBenchmark();
            String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            for (BenchmarkResult fork : run.getBenchmarkResults()) {
                for (IterationResult iteration : fork.getIterationResults()) {
                    print("nopark." + name + ".ns", iteration.getPrimaryResult().getScore());
                    Result<?> allocated = iteration.getSecondaryResults().get("gc.alloc.rate.norm");
                    if (allocated != null) {
                        print("nopark." + name + ".bytes", allocated.getScore());
                    }
                }
            }
        }
    }

    private static void print(String figure, double value) {
        System.out.println(String.format(Locale.ROOT, "RESULT %s %.4f", figure, value));
    }
}
