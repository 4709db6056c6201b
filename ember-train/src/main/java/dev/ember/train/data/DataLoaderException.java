package dev.ember.train.data;

/** A batch could not be produced; the cause is what the dataset or a transform threw. */
public final class DataLoaderException extends RuntimeException {
    public DataLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
