package io.jasyncio.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent (this JVM runs with it) under classes that load at once from many threads and from
 * several class loaders: every class is woven as its own bytes and its loader's other classes
 * say, misuse is still found in classes that mention nothing of jasyncio, and nothing deadlocks.
 */
class ConcurrentLoadingIT {
    private static final int GROUPS = 60;
    private static final int THREADS = 8;

    @TempDir
    Path root;

    /**
     * Per group {@code i}: {@code Async<i>} has an {@code @Async} method that parks and calls
     * {@code Async<i-1>} (chains of five); {@code Plain<i>} calls {@code Plain<i-1>}; {@code Lambda<i>}
     * makes a lambda of the program's own {@code @Async} interface {@code Step} and mentions
     * nothing of jasyncio; {@code Misuse<i>} calls {@code Async<i>} from a plain method, and also
     * mentions nothing of jasyncio.
     */
    private static Map<String, String> program() {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("load.Step", "package load;\n"
                + "@FunctionalInterface public interface Step { @io.jasyncio.Async int apply(int x); }\n");
        StringBuilder driver = new StringBuilder("package load;\n"
                + "public class Driver {\n"
                + "  @io.jasyncio.Async static long all() {\n"
                + "    long sum = 0;\n");
        for (int i = 0; i < GROUPS; i++) {
            String previous = i % 5 == 0 ? "0" : "Async" + (i - 1) + ".step(0)";
            sources.put("load.Async" + i, "package load;\n"
                    + "public class Async" + i + " {\n"
                    + "  @io.jasyncio.Async public static int step(int x) {\n"
                    + "    io.jasyncio.Asyncio.sleep(java.time.Duration.ZERO);\n"
                    + "    return x + " + i + " + " + previous + ";\n"
                    + "  }\n"
                    + "}\n");
            sources.put("load.Plain" + i, "package load;\n"
                    + "public class Plain" + i + " {\n"
                    + "  public static int value(int x) { return x + " + i + (i == 0 ? "" : " + Plain" + (i - 1) + ".value(0)") + "; }\n"
                    + "}\n");
            sources.put("load.Lambda" + i, "package load;\n"
                    + "public class Lambda" + i + " {\n"
                    + "  public static Step make() { int k = " + i + "; return x -> x * 2 + k; }\n"
                    + "}\n");
            sources.put("load.Misuse" + i, "package load;\n"
                    + "public class Misuse" + i + " {\n"
                    + "  public static int call() { return Async" + i + ".step(1); }\n"
                    + "}\n");
            driver.append("    sum += Async").append(i).append(".step(1) + Lambda").append(i).append(".make().apply(1) + Plain")
                    .append(i).append(".value(1);\n");
        }
        driver.append("    return sum;\n  }\n"
                + "  public static long run() { return io.jasyncio.Asyncio.run(() -> all()); }\n"
                + "}\n");
        sources.put("load.Driver", driver.toString());
        return sources;
    }

    /** What {@code Driver.run()} returns, computed here. */
    private static long expectedSum() {
        long sum = 0;
        for (int i = 0; i < GROUPS; i++) {
            long chain = 0;
            for (int j = i; ; j--) {
                chain += j;
                if (j % 5 == 0) {
                    break;
                }
            }
            long plain = 0;
            for (int j = 0; j <= i; j++) {
                plain += j;
            }
            sum += (1 + chain) + (2 + i) + (1 + plain);
        }
        return sum;
    }

    @Test
    void classesLoadedFromEightThreadsAtOnce_areAllWovenAndChecked() throws Exception {
        Map<String, String> sources = program();
        Path classes = SourcePrograms.compile(root, sources);
        for (int round = 0; round < 3; round++) {
            try (URLClassLoader loader = SourcePrograms.loader(classes)) {
                List<String> names = new ArrayList<>(sources.keySet());
                loadConcurrently(loader, names, round);
                Object sum = loader.loadClass("load.Driver").getMethod("run").invoke(null);
                assertEquals(expectedSum(), sum);
                for (int i = 0; i < GROUPS; i++) {
                    int group = i;
                    InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                            () -> loader.loadClass("load.Misuse" + group).getMethod("call").invoke(null));
                    assertTrue(thrown.getCause() instanceof IllegalStateException, thrown.getCause()::toString);
                    assertEquals("load.Misuse" + i + ".call(Misuse" + i + ".java:3): suspending call to load.Async" + i
                                    + ".step() in a method that is not @Async — annotate call() with @Async and call it "
                                    + "from a task started with Asyncio.run or Asyncio.createTask",
                            thrown.getCause().getMessage());
                }
            }
        }
    }

    /** Loads and initialises every class from {@link #THREADS} threads, each in its own order, all starting together. */
    private static void loadConcurrently(ClassLoader loader, List<String> names, long seed) {
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<String> order = new ArrayList<>(names);
                Collections.shuffle(order, new Random(seed * THREADS + t));
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                        for (String name : order) {
                            Class.forName(name, true, loader);
                        }
                    } catch (Throwable failure) {
                        failures.add(failure);
                    }
                }, "loader-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(List.of(), new ArrayList<>(failures));
        }, "loading deadlocked");
    }
}
