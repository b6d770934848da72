package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;

public class Guarded {
    private final Object lock = new Object();

    @Async
    void guarded() {
        synchronized (lock) {
            Asyncio.sleep(1); // MISUSE
        }
    }
}
