package com.example.app;

import com.example.lib.Service;
import io.jasyncio.Async;
import io.jasyncio.Asyncio;

public class EchoService implements Service {
    @Override
    @Async
    public String call(String request) {
        Asyncio.sleep(1);
        return request + "!";
    }
}
