package io.jasyncio.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every measured value of one comparison run, by figure and system, in the order they came. */
final class Results {
    private final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();

    void add(String figure, String system, double value) {
        values.computeIfAbsent(figure, f -> new LinkedHashMap<>()).computeIfAbsent(system, s -> new ArrayList<>()).add(value);
    }

    /** Gives every value to {@code action}, by figure, then system, then the order they came. */
    void forEach(ValueConsumer action) {
        values.forEach((figure, bySystem) -> bySystem.forEach((system, list) -> list.forEach(v -> action.accept(figure, system, v))));
    }

    /** Receives one measured value. */
    @FunctionalInterface
    interface ValueConsumer {
        void accept(String figure, String system, double value);
    }

    /** The values of {@code figure} for {@code system}, empty if none. */
    List<Double> of(String figure, String system) {
        return values.getOrDefault(figure, Map.of()).getOrDefault(system, List.of());
    }

    /** The median, min and max of {@code figure} for {@code system}, if it was measured. */
    Optional<Summary> summary(String figure, String system) {
        List<Double> sorted = new ArrayList<>(of(figure, system));
        if (sorted.isEmpty()) {
            return Optional.empty();
        }
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return Optional.of(new Summary(median, sorted.get(0), sorted.get(n - 1), n));
    }

    /** Median, minimum and maximum of {@code count} values. */
    record Summary(double median, double min, double max, int count) {}
}
