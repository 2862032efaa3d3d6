package io.crossbridge.hardening.benchmarks.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Retained heap per bucket at 1,000,000 keys, for each library: the size of everything reachable
 * from the library's root once every key has a bucket, less the key strings, divided by the
 * number of keys. Run with {@code java -cp benchmarks.jar
 * io.crossbridge.hardening.benchmarks.ratelimit.RetainedHeapPerBucket [keys]}.
 */
public final class RetainedHeapPerBucket {

    private static final String[] LIBRARIES = { "crossbridge", "bucket4j", "resilience4j", "guava" };

    private RetainedHeapPerBucket() {
    }

    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String[] keyNames = new String[keys];
        for (int i = 0; i < keys; i++) {
            keyNames[i] = "user-" + i;
        }
        long keyStrings = GraphLayout.parseInstance((Object) keyNames).totalSize() - VM.current().sizeOf(keyNames);
        System.out.println(VM.current().details());
        System.out.printf(Locale.ROOT, "keys: %,d, key strings: %,d bytes (%.1f per key, excluded)%n",
                keys, keyStrings, keyStrings / (double) keys);
        List<String> rows = new ArrayList<>();
        for (String library : LIBRARIES) {
            KeyedLimiter limiter = KeyedLimiter.create(library, true, keys);
            for (String key : keyNames) {
                limiter.tryAcquire(key);
            }
            long retained = GraphLayout.parseInstance(limiter.root()).totalSize() - keyStrings;
            rows.add(String.format(Locale.ROOT, "| %s | %,d | %.1f |", library, retained, retained / (double) keys));
        }
        System.out.println("| library | retained bytes beyond keys | bytes per bucket |");
        System.out.println("|---|---:|---:|");
        rows.forEach(System.out::println);
    }
}
