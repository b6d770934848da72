package com.example.lib;

import io.jasyncio.Async;
import java.util.List;

public final class Pipeline {
    private Pipeline() {}

    @Async
    public static int run(int value, List<Step> steps) {
        for (Step step : steps) {
            value = step.apply(value);
        }
        return value;
    }

    @Async
    public static String ask(Service service, String request) {
        return "[" + service.call(request) + "]";
    }
}
