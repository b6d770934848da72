package com.example;

import io.jasyncio.Asyncio;

public class Plain {
    static void notAsync() {
        Asyncio.sleep(1); // MISUSE
    }
}
