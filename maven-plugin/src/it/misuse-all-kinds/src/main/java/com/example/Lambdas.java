package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;

public class Lambdas {
    @Async
    static void twice() {
        Runnable pause = () -> Asyncio.sleep(1); // MISUSE
        pause.run();
        pause.run();
    }
}
