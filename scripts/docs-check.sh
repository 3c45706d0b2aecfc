#!/usr/bin/env bash
# Docs check (issue 15): runs the README / docs commands that need no data outside the repository and checks the
# figures the docs state, within the tolerances given below. Run from the repository root after a build
# (`.ci/run` calls it after `mvn -B -ntp verify`). Needs python3 with NumPy for the WDBC split (the docs' own recipe).
# Commands that need external data (MNIST full set, IMDB, MovieLens) are not run; the docs say where to get it.
#
# Tolerances and why:
#  - demo network accuracies and fidelity Pearsons: +-0.005 / +-0.0005. The demo is seeded; the tolerance absorbs
#    BLAS rounding differences between machines (native OpenBLAS vs the pure-Java fallback).
#  - WDBC influence vs leave-one-out Pearson / Spearman (docs/influence.md): +-0.0005 (4-digit figures; every fit
#    is to ||grad|| <= 1e-10, so only rounding differs).
#  - time: the README's "under 10 seconds after the build" is for an idle 2-core machine; CI machines are shared,
#    so the check allows 30x and prints the measured time.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
jar="$root/exemplar-cli/target/exemplar.jar"
[ -f "$jar" ] || { echo "docs-check: $jar missing; build first (mvn -B -ntp verify or package)" >&2; exit 2; }
ex() { java -Xmx2g -Djava.awt.headless=true -jar "$jar" "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail=0
check() { # name value expected tolerance
  if python3 -c "import sys; v,e,t=map(float,sys.argv[1:4]); sys.exit(0 if abs(v-e)<=t else 1)" "$2" "$3" "$4"; then
    echo "docs-check: ok   $1 = $2 (documented $3 +- $4)"
  else
    echo "docs-check: FAIL $1 = $2 (documented $3 +- $4)"; fail=1
  fi
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); k=sys.argv[2].split('.');
for p in k: d=d[p]
print(d)" "$1" "$2"; }

# 1. README main job: ./exemplar demo --out demo-out
t0=$(date +%s)
ex demo --out "$work/demo-out" -q
t1=$(date +%s)
s="$work/demo-out/summary.json"
check "demo train_accuracy" "$(json "$s" train_accuracy)" 0.9908 0.005
check "demo test_accuracy" "$(json "$s" test_accuracy)" 0.9340 0.005
check "demo pearson_train" "$(json "$s" pearson_train)" 0.99901 0.0005
check "demo pearson_test" "$(json "$s" pearson_test)" 0.99863 0.0005
for f in report.html summary.json explanations.csv debugging.csv; do
  [ -s "$work/demo-out/$f" ] || { echo "docs-check: FAIL demo-out/$f missing"; fail=1; }
done
echo "docs-check: demo took $((t1 - t0)) s (README: under 10 s after the build on an idle machine; allowed 300 s here)"
[ $((t1 - t0)) -le 300 ] || { echo "docs-check: FAIL demo too slow"; fail=1; }

# 2. README convert commands on the shipped slice
mn="$root/exemplar-cli/src/main/resources/org/exemplar/cli/data/mnist"
(cd "$work" && ex convert "$mn/test-images-idx3-ubyte.gz" test-images.npy --scale 0.00392156862745098 \
  && ex convert "$mn/test-labels-idx1-ubyte.gz" test-labels.npy --labels)
python3 - "$work" <<'PY' || fail=1
import sys, numpy as np
w = sys.argv[1]
x = np.load(w + "/test-images.npy"); y = np.load(w + "/test-labels.npy")
ok = x.shape == (1000, 784) and x.dtype == np.float64 and 0 <= x.min() and x.max() <= 1 and y.shape == (1000,)
print("docs-check: %s convert: images %s in [%g, %g], labels %s" % ("ok  " if ok else "FAIL", x.shape, x.min(), x.max(), y.shape))
sys.exit(0 if ok else 1)
PY

# 3. docs/influence.md: WDBC split (the page's own recipe) and the influence commands
(cd "$work" && python3 - "$root" <<'PY'
import sys, numpy as np
d = np.loadtxt(sys.argv[1] + '/exemplar-core/src/test/resources/org/exemplar/influence/breast_cancer.csv', delimiter=',', skiprows=1)
X, y = d[:, :30], d[:, 30].astype(np.int64)
perm = np.random.default_rng(0).permutation(len(y)); tr, te = perm[:469], perm[469:]
mu, sd = X[tr].mean(0), X[tr].std(0)
np.save('x.npy', (X[tr]-mu)/sd); np.save('y.npy', y[tr]); np.save('xt.npy', (X[te]-mu)/sd); np.save('yt.npy', y[te])
PY
)
inf() { (cd "$work" && ex influence --model logistic --train-features x.npy --train-labels y.npy --test-features xt.npy \
    --test-labels yt.npy --l2 0.01 --damping 0.001 "$@" -q); }
inf --loo-indices 0:469 --out wdbc-out
check "influence all 469 x 100 Pearson" "$(json "$work/wdbc-out/summary.json" leave_one_out.pearson)" 0.9898 0.0005
check "influence all 469 x 100 Spearman" "$(json "$work/wdbc-out/summary.json" leave_one_out.spearman)" 0.9968 0.0005
for solver in exact cg arnoldi; do
  inf --loo-indices 0:40 --solver "$solver" --skip-self-influence --out "wdbc-$solver"
  check "influence 0:40 $solver Pearson" "$(json "$work/wdbc-$solver/summary.json" leave_one_out.pearson)" 0.9784 0.0005
  check "influence 0:40 $solver Spearman" "$(json "$work/wdbc-$solver/summary.json" leave_one_out.spearman)" 0.9971 0.0005
done
# LiSSA at its defaults stays above its residual tolerance: documented as exit 3
set +e
inf --loo-indices 0:40 --solver lissa --skip-self-influence --out wdbc-lissa 2>/dev/null
code=$?
set -e
if [ "$code" = 3 ]; then echo "docs-check: ok   lissa above its tolerance exits 3"; else echo "docs-check: FAIL lissa exit $code, documented 3"; fail=1; fi

# README / docs/server.md three commands (issue 13): index build --demo, serve, the page and one explanation
ex index build --demo --out "$work/demo-index" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# java directly (not through the ex function) so that $! is the server's own pid for the kill below
java -Xmx2g -Djava.awt.headless=true --add-modules jdk.incubator.vector -jar "$jar" serve --index "$work/demo-index" --port "$port" > "$work/serve.log" 2>&1 &
spid=$!
served=$(python3 - "$port" <<'PY'
import json, sys, time, urllib.request
base = "http://127.0.0.1:" + sys.argv[1]
for _ in range(240):
    try:
        urllib.request.urlopen(base + "/health", timeout=2); break
    except Exception:
        time.sleep(0.5)
page = urllib.request.urlopen(base + "/").read().decode()
req = urllib.request.Request(base + "/v1/explain", data=b'{"testId": 3, "k": 3}', headers={"Content-Type": "application/json"})
a = json.load(urllib.request.urlopen(req))
ok = 'id="chart"' in page and a["exact"] and len(a["supporting"]) == 3 and a["predictedClass"] == a["testLabel"]
print(1 if ok else 0)
PY
) || served=0
kill -TERM "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
check "server demo: page served, test digit 3 explained and predicted right" "$served" 1 0

if [ "$fail" = 0 ]; then echo "docs-check: all documented figures reproduced"; else echo "docs-check: FAILED"; fi
exit "$fail"
