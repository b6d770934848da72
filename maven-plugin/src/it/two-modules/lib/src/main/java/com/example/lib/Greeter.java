package com.example.lib;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;

public final class Greeter {
    private Greeter() {}

    @Async
    public static String greet(String name) {
        Asyncio.sleep(Duration.ZERO);
        return "hello " + name;
    }
}
