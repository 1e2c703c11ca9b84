#!/usr/bin/env bash
# Rebuilds kernels.wasm from kernels.c with Debian's clang and lld (apt-get install clang lld).
# The .wasm is committed so installs need no compiler; rerun this after editing kernels.c. The output is
# byte-for-byte reproducible with the same clang (Debian 12: clang 14.0.6), which a unit test checks.
# OUT=path writes elsewhere (the test builds into a temporary folder).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
clang="${CLANG:-clang}"
out="${OUT:-$here/kernels.wasm}"
"$clang" --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding -fno-builtin \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-debug \
  -Wl,-z,stack-size=65536 -Wl,--initial-memory=1048576 \
  -o "$out.tmp" "$here/kernels.c"
mv "$out.tmp" "$out"
echo "built $out ($(wc -c < "$out") bytes) with $("$clang" --version | head -n 1)"
