"""The GPU workloads of dev.ember.cuda.GpuCheck in PyTorch, and Ember/PyTorch ratios from the
results file that GpuCheck wrote. Run by gpu-check.sh where torch with CUDA is installed."""
import re
import sys
import time

import torch

results = sys.argv[1]
ember = {}
for line in open(results):
    m = re.match(r"WORKLOAD gemm (\w+) .* ([\d.]+) TFLOP/s", line)
    if m:
        ember["gemm " + m.group(1)] = float(m.group(2))
    m = re.match(r"WORKLOAD mlp train step .* ([\d.]+) ms", line)
    if m:
        ember["mlp ms"] = float(m.group(1))


def timed(f, reps):
    f()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps):
        f()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / reps


n = 8192
for mode in ("fp32", "tf32", "bf16"):
    torch.backends.cuda.matmul.allow_tf32 = mode == "tf32"
    dt = torch.bfloat16 if mode == "bf16" else torch.float32
    a = torch.randn(n, n, device="cuda", dtype=dt)
    b = torch.randn(n, n, device="cuda", dtype=dt)
    s = timed(lambda: a @ b, 10)
    tf = 2 * n ** 3 / s / 1e12
    ratio = ember.get("gemm " + mode, 0) / tf
    print(f"TORCH gemm {mode} {tf:.1f} TFLOP/s  ember/torch {ratio:.2f}")
torch.backends.cuda.matmul.allow_tf32 = False

w1 = (torch.randn(784, 2048, device="cuda") * 0.03).requires_grad_()
w2 = (torch.randn(2048, 2048, device="cuda") * 0.02).requires_grad_()
w3 = (torch.randn(2048, 10, device="cuda") * 0.02).requires_grad_()
x = torch.randn(512, 784, device="cuda")
y = torch.randn(512, 10, device="cuda")
opt = torch.optim.SGD([w1, w2, w3], lr=1e-3)


def step():
    loss = ((x @ w1).relu() @ w2).relu().matmul(w3).sub(y).pow(2).mean()
    loss.backward()
    opt.step()
    opt.zero_grad()


ms = timed(step, 20) * 1e3
ratio = ms / ember["mlp ms"] if "mlp ms" in ember else float("nan")
print(f"TORCH mlp train step {ms:.2f} ms  speed ember/torch {ratio:.2f}")
