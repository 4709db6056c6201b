package dev.ember.apps.recipes;

import java.util.Map;

/** A named, complete training run: data, model, optimizer, schedule and evaluation. */
public interface Recipe {

    String name();

    String description();

    /** Trains and evaluates; returns the final metrics (for the one-line JSON summary). */
    Map<String, Object> run(RecipeOptions options);

    /** This recipe with recipe-specific settings ({@code --set KEY=VALUE}); recipes without settings reject any. */
    default Recipe withSettings(Map<String, String> settings) {
        if (!settings.isEmpty()) throw new IllegalArgumentException(name() + ": has no settings (--set); got " + settings.keySet());
        return this;
    }
}
