package com.example;

import io.jasyncio.Asyncio;

public class Main {
    public static void main(String[] args) {
        Asyncio.run(() -> {
            try {
                Plain.notAsync();
            } catch (IllegalStateException e) {
                System.out.println("caught: " + e.getMessage());
            }
        });
    }
}
