package dev.ember.cuda;

/**
 * A CUDA call returned an error. The message carries CUDA's own name and text for the status
 * and the call that failed, for example
 * {@code cuMemcpyHtoD_v2(dst=0x7f.., bytes=4096) failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument}.
 */
public final class CudaException extends RuntimeException {

    public static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

    private final int status;
    private final String statusName;
    private final String call;

    public CudaException(String call, int status, String statusName, String description) {
        super(call + " failed: " + statusName + " (" + status + "): " + description);
        this.status = status;
        this.statusName = statusName;
        this.call = call;
    }

    /** The CUresult, cublasStatus_t or nvrtcResult code. */
    public int status() { return status; }

    /** CUDA's name for the status, for example {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String statusName() { return statusName; }

    /** The call that failed, with its key arguments. */
    public String call() { return call; }
}
