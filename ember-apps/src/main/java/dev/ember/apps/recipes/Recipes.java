package dev.ember.apps.recipes;

import dev.ember.nn.zoo.Mlp;
import dev.ember.nn.zoo.SmallCnn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The recipes `ember train` knows, by name. Applications add theirs through {@link ServiceLoader}. */
public final class Recipes {

    private Recipes() {}

    public static Map<String, Recipe> all() {
        Map<String, Recipe> m = new LinkedHashMap<>();
        add(m, new ImageClassificationRecipe("mnist-mlp", "MLP 784-512-256-10 on MNIST (Adam, cosine)", "mnist",
                0.1307, 0.3081, g -> new Mlp(g, 784, 512, 256, 10), true, 2, 128, 1e-3));
        add(m, new ImageClassificationRecipe("mnist-cnn", "the small CNN (2 conv, max-pool, 2 linear) on MNIST", "mnist",
                0.1307, 0.3081, g -> new SmallCnn(1, 10, 28, g), false, 2, 64, 1e-3));
        add(m, new ImageClassificationRecipe("fashion-cnn", "the small CNN on Fashion-MNIST", "fashion-mnist",
                0.2860, 0.3530, g -> new SmallCnn(1, 10, 28, g), false, 5, 64, 1e-3));
        for (Recipe r : ServiceLoader.load(Recipe.class)) add(m, r);
        return m;
    }

    private static void add(Map<String, Recipe> m, Recipe r) { m.put(r.name(), r); }

    public static Recipe byName(String name) {
        Recipe r = all().get(name);
        if (r == null) throw new IllegalArgumentException("unknown recipe '" + name + "'; known: " + String.join(", ", all().keySet()));
        return r;
    }
}
