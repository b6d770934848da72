package com.example;

import io.jasyncio.Async;

public abstract class Source {
    @Async
    public abstract String load();
}
