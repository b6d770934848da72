package io.jasyncio.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * API.md: an exception's stack trace names each {@code @Async} method of the logical call chain
 * with its line, even when it was thrown after the chain parked and was resumed by the loop.
 */
class StackTraceIT extends AsyncTestBase {

    @Async
    static void innermost() {
        Asyncio.sleep(Duration.ZERO);
        throw new IllegalStateException("thrown after a resume");
    }

    @Async
    static void middle() {
        Asyncio.sleep(Duration.ZERO);
        innermost();
    }

    @Async
    static void outer() {
        middle();
    }

    private static List<String> methodsOf(Throwable failure) {
        List<String> methods = new ArrayList<>();
        for (StackTraceElement element : failure.getStackTrace()) {
            if (element.getClassName().equals(StackTraceIT.class.getName())) {
                methods.add(element.getMethodName() + ":" + (element.getLineNumber() > 0));
            }
        }
        return methods;
    }

    @Test
    void failureAfterResume_traceNamesEveryAsyncMethodOfTheChainWithLines() {
        IllegalStateException caught = null;
        try {
            run(() -> outer());
        } catch (IllegalStateException thrown) {
            caught = thrown;
        }
        List<String> methods = methodsOf(caught);
        int innermost = methods.indexOf("innermost:true");
        int middle = methods.indexOf("middle:true");
        int outer = methods.indexOf("outer:true");
        assertTrue(innermost >= 0 && middle > innermost && outer > middle,
                "innermost, middle and outer in that order, with lines: " + methods);
        finish(1);
    }
}
