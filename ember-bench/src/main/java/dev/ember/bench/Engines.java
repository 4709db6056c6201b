package dev.ember.bench;

/** Finds the comparison engines, which exist only in a jar built with {@code -Pcompare}. */
final class Engines {

    private Engines() {}

    static Engine load(String name) {
        String cls = switch (name) {
            case "libtorch" -> "dev.ember.bench.compare.TorchEngine";
            case "onnxruntime" -> "dev.ember.bench.compare.OrtEngine";
            case "openblas" -> "dev.ember.bench.compare.OpenBlasEngine";
            default -> throw new IllegalArgumentException("bench: unknown engine '" + name + "'; expected libtorch, onnxruntime or openblas");
        };
        try {
            return (Engine) Class.forName(cls).getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new Missing(name, "this jar was built without the comparison engines; build it with "
                    + "./mvnw -Pcompare -pl ember-bench -am package -DskipTests");
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Missing(name, "could not start: " + e);
        }
    }

    private record Missing(String name, String reason) implements Engine {
        @Override
        public java.util.Map<String, Double> run(String w, int reps, int warmup) {
            throw new UnsupportedOperationException(reason);
        }
    }
}
