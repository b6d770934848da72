package com.example;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.time.Duration;

public class Main {
    public static void main(String[] args) {
        int total = Asyncio.run(() -> {
            Task<Integer> a = Asyncio.createTask(() -> count("a", 3));
            Task<Integer> b = Asyncio.createTask(() -> count("b", 2));
            Asyncio.sleep(20);
            int sum = a.await() + b.await();
            System.out.println("both done");
            return sum;
        });
        System.out.println("total " + total);
    }

    /** Prints {@code name 1 .. name n}, letting the other ready tasks run after each line. */
    @Async
    static int count(String name, int n) {
        for (int i = 1; i <= n; i++) {
            System.out.println(name + " " + i);
            Asyncio.sleep(Duration.ZERO);
        }
        return n;
    }
}
