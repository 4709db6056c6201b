#!/usr/bin/env bash
# The one command for a GPU machine (no JDK, no network needed): run from the folder made by
# scripts/prepare-gpu-bundle.sh. Runs the CUDA conformance checks, then the workloads (GEMM
# TFLOP/s for fp32, tf32, bf16; an MLP train step), writing results to gpu-check-results.txt.
# Where PyTorch is installed, the same workloads run in PyTorch in the same run and the ratios
# are printed. Bounded to 8 minutes.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
results="${1:-$here/gpu-check-results.txt}"
java="$here/jre/bin/java"
[ -x "$java" ] || java="$(command -v java || true)"
if [ -z "$java" ]; then echo "gpu-check: no Java runtime in $here/jre and none on PATH; run scripts/prepare-gpu-bundle.sh" >&2; exit 2; fi

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/nvidia-smi: /' || true
timeout 420 "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g \
  -cp "$here/lib/*" dev.ember.cuda.GpuCheck "$results"
rc=$?

if command -v python3 >/dev/null 2>&1 && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  echo "PyTorch found: running the same workloads"
  timeout 60 python3 "$here/gpu-check-torch.py" "$results" | tee -a "$results"
else
  echo "PyTorch with CUDA not installed here: no comparison" | tee -a "$results"
fi
echo "gpu-check: exit $rc; results in $results"
exit $rc
