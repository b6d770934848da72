package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;

public class Main {
    public static void main(String[] args) {
        Asyncio.run(() -> System.out.println("sum " + (add(1, 2) + add(3, 4))));
    }

    @Async
    static int add(int a, int b) {
        Asyncio.sleep(Duration.ZERO);
        System.out.println(a + " + " + b);
        return a + b;
    }
}
