#!/usr/bin/env bash
# Prepares, on a machine with a JDK 25 and Maven, a folder to carry to a GPU machine that has
# neither a JDK nor network: a jlink'd Java 25 runtime (java.base, java.logging,
# jdk.incubator.vector; about 40 MB), the Ember jars and scripts/gpu-check.sh.
# Usage: scripts/prepare-gpu-bundle.sh [OUT_DIR]   (default: target/gpu-bundle)
# Then copy OUT_DIR to the GPU machine and run OUT_DIR/gpu-check.sh there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/gpu-bundle}"
. "$root/scripts/find-jdk.sh"
JAVA_HOME="$(ember_find_jdk25)"
export JAVA_HOME

(cd "$root" && ./mvnw -q -B -o package -DskipTests -pl ember-core,ember-cpu,ember-cuda -am)
rm -rf "$out"
mkdir -p "$out/lib"
for m in ember-core ember-cpu ember-cuda; do
  cp "$root/$m/target/$m-"*[0-9T].jar "$out/lib/" 2>/dev/null || cp "$root/$m/target/$m-0.1.0-SNAPSHOT.jar" "$out/lib/"
done
rm -f "$out"/lib/*-tests.jar

# java.logging: Backends logs the device choice; jdk.incubator.vector: the CPU kernels.
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$out/jre"
# libjvm.so ships with symbols the GPU run never needs; stripping them keeps the bundle small
if command -v strip >/dev/null 2>&1; then
  for so in "$out"/jre/lib/server/libjvm.so "$out"/jre/lib/*.so; do strip --strip-unneeded "$so" 2>/dev/null || true; done
fi
cp "$root/scripts/gpu-check.sh" "$out/gpu-check.sh"
cp "$root/scripts/gpu-check-torch.py" "$out/gpu-check-torch.py"
chmod +x "$out/gpu-check.sh"
size_mb=$(du -sm "$out" | cut -f1)
echo "GPU bundle ready in $out (${size_mb} MB): copy it to the GPU machine and run ./gpu-check.sh there"
if [ "$size_mb" -gt 45 ]; then echo "warning: the bundle is ${size_mb} MB, over the 45 MB budget" >&2; fi
