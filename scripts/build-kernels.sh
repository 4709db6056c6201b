#!/usr/bin/env bash
# Compiles ember-cuda's CUDA C kernels (ember-cuda/src/main/cuda/*.cu, one file per family) into
# fatbins holding cubins for sm_80, sm_86, sm_89 and sm_90 plus compute_90 PTX (JIT-compiled by
# the driver on newer GPUs). Outputs are committed, so machines without nvcc use them as they are:
#   ember-cuda/src/main/resources/dev/ember/cuda/kernels/<family>.fatbin   (loaded at run time)
#   ember-cuda/src/main/cuda/ptx/<family>.ptx                               (checked by ptxas in tests)
#   ember-cuda/src/main/resources/dev/ember/cuda/kernels/MANIFEST           (source hashes)
# Only families whose source hash changed are rebuilt. --check only verifies the manifest.
# Usage: scripts/build-kernels.sh [--check] [--force]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/ember-cuda/src/main/cuda"
out="$root/ember-cuda/src/main/resources/dev/ember/cuda/kernels"
ptx="$src/ptx"
manifest="$out/MANIFEST"
mode=build
force=0
for a in "$@"; do
  case "$a" in
    --check) mode=check ;;
    --force) force=1 ;;
    *) echo "build-kernels.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

ARCHS="80 86 89 90"
PTX_ARCH=90
FLAGS="-O3 -std=c++17 -Xfatbin=-compress-all"
flags_id="archs=$ARCHS ptx=$PTX_ARCH flags=$FLAGS"

# The hash of a family: its source, the shared header and the flags (the manifest format is read
# by dev.ember.cuda.KernelManifest too: "<family> <sha256>").
hash_of() {
  { cat "$src/$1.cu" "$src/ember.cuh"; printf '%s' "$flags_id"; } | sha256sum | cut -d' ' -f1
}

families=()
for f in "$src"/*.cu; do families+=("$(basename "$f" .cu)"); done

recorded() { [ -f "$manifest" ] && awk -v f="$1" '$1 == f { print $2 }' "$manifest" || true; }

stale=()
for fam in "${families[@]}"; do
  h="$(hash_of "$fam")"
  if [ "$force" = 1 ] || [ "$(recorded "$fam")" != "$h" ] || [ ! -f "$out/$fam.fatbin" ] || [ ! -f "$ptx/$fam.ptx" ]; then
    stale+=("$fam")
  fi
done

if [ "$mode" = check ]; then
  if [ ${#stale[@]} -gt 0 ]; then
    echo "ember-cuda kernels are out of date: ${stale[*]} changed since their fatbins were built." >&2
    echo "Run scripts/build-kernels.sh on a machine with nvcc (CUDA 13) and commit the results." >&2
    exit 1
  fi
  echo "ember-cuda kernels are current (${#families[@]} families)."
  exit 0
fi

if [ ${#stale[@]} -eq 0 ]; then
  echo "ember-cuda kernels are current (${#families[@]} families)."
  exit 0
fi

nvcc="${NVCC:-}"
if [ -z "$nvcc" ]; then
  if command -v nvcc >/dev/null 2>&1; then nvcc="$(command -v nvcc)";
  elif [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then nvcc="$CUDA_HOME/bin/nvcc";
  elif [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc;
  else
    echo "build-kernels.sh: kernels changed (${stale[*]}) but nvcc was not found on PATH, in CUDA_HOME or /usr/local/cuda" >&2
    exit 1
  fi
fi

gencode=()
for a in $ARCHS; do gencode+=("-gencode=arch=compute_$a,code=sm_$a"); done
gencode+=("-gencode=arch=compute_$PTX_ARCH,code=compute_$PTX_ARCH")

mkdir -p "$out" "$ptx"
for fam in "${stale[@]}"; do
  echo "nvcc: $fam.cu -> $fam.fatbin (sm_${ARCHS// /, sm_} + compute_$PTX_ARCH PTX)"
  # shellcheck disable=SC2086
  "$nvcc" $FLAGS --threads 2 -fatbin "${gencode[@]}" -I "$src" -o "$out/$fam.fatbin" "$src/$fam.cu"
  "$nvcc" -O3 -std=c++17 -ptx -arch=compute_$PTX_ARCH -I "$src" -o "$ptx/$fam.ptx" "$src/$fam.cu"
done

tmp="$(mktemp)"
for fam in "${families[@]}"; do printf '%s %s\n' "$fam" "$(hash_of "$fam")"; done > "$tmp"
{ echo "# family sha256(source + ember.cuh + flags); written by scripts/build-kernels.sh"; echo "# $flags_id"; cat "$tmp"; } > "$manifest"
rm -f "$tmp"
echo "ember-cuda kernels rebuilt: ${stale[*]}"
