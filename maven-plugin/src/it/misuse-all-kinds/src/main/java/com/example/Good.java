package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;

/** Correct: javac's output of it must survive the failed build untouched too. */
public class Good {
    @Async
    static int pause(long millis) {
        Asyncio.sleep(millis);
        return 1;
    }
}
