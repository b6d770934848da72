package com.example;

public class Base {
    void work() {
    }
}
