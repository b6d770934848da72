package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;

/** A test class calling the main classes' @Async methods: woven by weave-tests. */
public class TestMain {
    public static void main(String[] args) {
        Asyncio.run(() -> System.out.println("test steps " + twice()));
    }

    @Async
    static int twice() {
        return Main.count("test", 1) + Main.count("test", 1);
    }
}
