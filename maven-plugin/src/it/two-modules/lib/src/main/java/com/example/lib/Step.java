package com.example.lib;

import io.jasyncio.Async;

/** An @Async functional interface, given lambdas in module app. */
@FunctionalInterface
public interface Step {
    @Async
    int apply(int value);
}
