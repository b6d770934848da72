package io.jasyncio.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes of the same names in several class loaders, where {@code @Async} differs: what the
 * agent learns of one loader's {@code multi.Service} must not be used for another's. The
 * {@code multi.Client} that calls it mentions nothing of jasyncio and is loaded before
 * {@code Service}, so the agent must read {@code Service} through the right loader.
 */
class SeveralLoadersIT {
    private static final String CLIENT = "package multi;\n"
            + "public class Client {\n"
            + "  public static int use() { return Service.call() + 1; }\n"
            + "}\n";
    private static final String ASYNC_SERVICE = "package multi;\n"
            + "public class Service {\n"
            + "  @io.jasyncio.Async public static int call() { io.jasyncio.Asyncio.sleep(java.time.Duration.ZERO); return 41; }\n"
            + "  public static int run() { return io.jasyncio.Asyncio.run(() -> call()); }\n"
            + "}\n";
    private static final String PLAIN_SERVICE = "package multi;\n"
            + "public class Service {\n"
            + "  public static int call() { return 41; }\n"
            + "  public static int run() { return call(); }\n"
            + "}\n";

    @TempDir
    Path root;

    @Test
    void sameClassNamesInTwoLoaders_eachWovenAsItsOwnLoaderSays() throws Exception {
        Path plain = SourcePrograms.compile(root, Map.of("multi.Client", CLIENT, "multi.Service", PLAIN_SERVICE));
        Path async = SourcePrograms.compile(root, Map.of("multi.Client", CLIENT, "multi.Service", ASYNC_SERVICE));
        for (int round = 0; round < 10; round++) {
            List<URLClassLoader> loaders = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                loaders.add(SourcePrograms.loader(i % 2 == 0 ? plain : async));
            }
            loadClientsFirstConcurrently(loaders);
            for (int i = 0; i < loaders.size(); i++) {
                ClassLoader loader = loaders.get(i);
                if (i % 2 == 0) {
                    assertEquals(42, invoke(loader, "multi.Client", "use"), "a plain call to a plain method");
                } else {
                    Throwable thrown = failure(loader, "multi.Client", "use");
                    assertTrue(thrown instanceof IllegalStateException, thrown::toString);
                    assertEquals("multi.Client.use(Client.java:3): suspending call to multi.Service.call() in a method "
                                    + "that is not @Async — annotate use() with @Async and call it from a task started "
                                    + "with Asyncio.run or Asyncio.createTask", thrown.getMessage());
                    assertEquals(41, invoke(loader, "multi.Service", "run"), "the @Async method, woven, in a task");
                }
            }
            for (URLClassLoader loader : loaders) {
                loader.close();
            }
        }
    }

    private static void loadClientsFirstConcurrently(List<URLClassLoader> loaders) {
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            CyclicBarrier start = new CyclicBarrier(loaders.size());
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (ClassLoader loader : loaders) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                        Class.forName("multi.Client", true, loader);
                        Class.forName("multi.Service", true, loader);
                    } catch (Throwable failure) {
                        failures.add(failure);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(List.of(), new ArrayList<>(failures));
        }, "loading deadlocked");
    }

    private static Object invoke(ClassLoader loader, String className, String method) throws Exception {
        return loader.loadClass(className).getMethod(method).invoke(null);
    }

    private static Throwable failure(ClassLoader loader, String className, String method) throws Exception {
        try {
            invoke(loader, className, method);
        } catch (InvocationTargetException thrown) {
            return thrown.getCause();
        }
        throw new AssertionError(className + "." + method + "() should have thrown");
    }
}
