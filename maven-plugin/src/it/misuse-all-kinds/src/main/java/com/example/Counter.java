package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;

public class Counter {
    private int count;

    @Async
    synchronized void increment() {
        Asyncio.sleep(1); // MISUSE
        count++;
    }
}
