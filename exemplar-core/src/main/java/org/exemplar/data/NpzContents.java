package org.exemplar.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything in an {@code .npz} archive: the {@code .npy} members as arrays (keyed without the
 * {@code .npy} suffix) and every other member (e.g. {@code config.json}) as raw bytes, both in archive order.
 */
public final class NpzContents {
    private final Path source;
    private final Map<String, NpyArray> arrays;
    private final Map<String, byte[]> others;

    NpzContents(Path source, LinkedHashMap<String, NpyArray> arrays, LinkedHashMap<String, byte[]> others) {
        this.source = source;
        this.arrays = Collections.unmodifiableMap(arrays);
        this.others = Collections.unmodifiableMap(others);
    }

    /** The archive this was read from. */
    public Path source() {
        return source;
    }

    /** The arrays, keyed by member name without {@code .npy}, in archive order (unmodifiable). */
    public Map<String, NpyArray> arrays() {
        return arrays;
    }

    /** The non-{@code .npy} members by full name, in archive order (unmodifiable; do not modify the bytes). */
    public Map<String, byte[]> others() {
        return others;
    }

    /** The array {@code key}; fails naming the key and the available arrays if it is absent. */
    public NpyArray array(String key) {
        NpyArray a = arrays.get(key);
        if (a == null) {
            throw new DataException(source, "no array '" + key + "' in the archive; available arrays: "
                    + arrays.keySet() + (others.isEmpty() ? "" : ", other members: " + others.keySet()));
        }
        return a;
    }

    /** The raw bytes of member {@code name}; fails naming it and the available members if absent. */
    public byte[] raw(String name) {
        byte[] b = others.get(name);
        if (b == null) {
            throw new DataException(source, "no member '" + name + "' in the archive; available members: "
                    + others.keySet() + (arrays.isEmpty() ? "" : ", arrays: " + arrays.keySet()));
        }
        return b;
    }

    /** Member {@code name} decoded as UTF-8 (e.g. a JSON config). */
    public String text(String name) {
        return new String(raw(name), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "NpzContents(" + source + ", arrays=" + arrays.keySet() + ", others=" + others.keySet() + ")";
    }
}
