#!/usr/bin/env bash
# The checks that need a GPU, as one prepared script for a session that is lent a CUDA machine.
#
#   make gpu-wheels                      # here: the project's pure-Python deps the GPU image lacks
#   bash benchmarks/gpu_tier.sh          # there (device tool: carry .whl; OUT is its output folder)
#
# It runs, each under its own time limit (9 minutes in all, inside one 10-minute device call):
#   1. the `gpu`-marked tests (Triton kernels compiled and run for real, nccl where two GPUs exist);
#   2. benchmarks/kernels.py --gpu-only: issue 6's acceptance ratios (Triton matmul ÷ torch.matmul
#      bf16 4096³ ≥ 0.70; Triton FlashAttention forward ÷ SDPA at seq 4096, d 128 ≥ 0.60);
#   3. issue 4's α–β fit on 4 gloo ranks where each rank has cores of its own (this 2-core VM
#      time-slices them, which bends the curve; see benchmarks/README.md, round 4).
# Logs land in $OUT (default ./out/gpu-tier); record the figures in benchmarks/README.md.
set -uo pipefail
OUT=${OUT:-out/gpu-tier}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
if [ -d .whl ]; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "gpu_tier: installing .whl failed" >&2; exit 2; }
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
"$PY" -c "import typer, fsrs, genanki, platformdirs" 2>/dev/null \
  || { echo "gpu_tier: project deps missing: run 'make gpu-wheels' here and carry .whl" >&2; exit 2; }

{ date -u; nproc; nvidia-smi -L 2>&1; "$PY" -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__, 'cuda', torch.cuda.is_available())"; } \
  | tee "$OUT/machine.txt"
status=0
timeout 180 "$PY" -m pytest -q -p no:cacheprovider -m gpu -rs tests 2>&1 | tee "$OUT/pytest-gpu.log" || status=1
timeout 240 "$PY" benchmarks/kernels.py --gpu-only 2>&1 | tee "$OUT/kernels.log" || status=1
timeout 120 "$PY" -m infraprep lab allreduce --ranks 4 --backend gloo --sizes 64KiB:64MiB --algos ring,tree,builtin \
  --repeats 4 --json > "$OUT/allreduce-gloo.json" 2> "$OUT/allreduce-gloo.err" || status=1
"$PY" - "$OUT/allreduce-gloo.json" <<'PY' | tee "$OUT/allreduce-fit.txt" || status=1
import json, sys
d = json.load(open(sys.argv[1]))
for algo, v in d["algorithms"].items():
    errors = [abs(e) for s, e in zip(d["sizes"], v["fit"]["relative_error"]) if s >= 64 << 10]
    print(f"{algo}: max |fit error| at sizes >= 64 KiB = {max(errors):.1%} (issue 4 asks <= 25%)")
PY
exit $status
