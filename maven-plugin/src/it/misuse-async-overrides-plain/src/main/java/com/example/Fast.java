package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;

public class Fast extends Base {
    @Override
    @Async
    void work() {
        Asyncio.sleep(1); // MISUSE
    }
}
