package com.example.app;

import com.example.lib.Greeter;
import com.example.lib.Pipeline;
import com.example.lib.Step;
import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import java.time.Duration;
import java.util.List;

public class Main {
    public static void main(String[] args) {
        Asyncio.run(() -> {
            System.out.println(Greeter.greet("app"));
            System.out.println(Pipeline.ask(new EchoService(), "echo"));
            int offset = 10;
            Step addOffset = value -> {
                Asyncio.sleep(Duration.ZERO);
                return value + offset;
            };
            System.out.println(Pipeline.run(1, List.of(addOffset, value -> value * 2, Main::half)));
            System.out.println(addOffset.apply(5));
        });
    }

    @Async
    static int half(int value) {
        Asyncio.sleep(1);
        return value / 2;
    }
}
