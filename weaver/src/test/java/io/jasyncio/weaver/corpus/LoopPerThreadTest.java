package io.jasyncio.weaver.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Woven code on several threads at once, each running a loop of its own: the woven-code ABI
 * keeps its state per loop, so results must not depend on what the other threads do.
 */
class LoopPerThreadTest {
    private static final int THREADS = 4;
    private static final int RUNS = 40;

    @Test
    void wovenPrograms_onSeveralThreadsAtOnce_computeWhatTheyComputeAlone() throws Exception {
        WovenProgram woven = WovenProgram.weave(FixtureProgram.load(FixtureProgram.FIXTURES + ".LoopPerThread"));
        Class<?> program = Class.forName(woven.program().className(), true, woven.newClassLoader());
        Method compute = program.getMethod("compute", int.class);
        long[] alone = new long[THREADS];
        for (int seed = 0; seed < THREADS; seed++) {
            alone[seed] = (long) compute.invoke(null, seed);
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                int seed = thread;
                Callable<List<Long>> runs = () -> {
                    List<Long> results = new ArrayList<>();
                    for (int run = 0; run < RUNS; run++) {
                        results.add((Long) compute.invoke(null, seed));
                    }
                    return results;
                };
                futures.add(pool.submit(runs));
            }
            for (int thread = 0; thread < THREADS; thread++) {
                List<Long> results = futures.get(thread).get(60, TimeUnit.SECONDS);
                for (long result : results) {
                    assertEquals(alone[thread], result, "seed " + thread + " computed differently next to other loops");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
