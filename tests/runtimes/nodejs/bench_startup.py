"""Cold-start cost of the Node.js bootstrap compared with bare node.

Run: /usr/bin/python3 tests/runtimes/nodejs/bench_startup.py [rounds=20]
     (BENCH_NO_V8_FLAGS=1 drops --expose-gc and the heap-size flags: any V8 flag costs node a few
     ms at start-up)

Wall clock, interleaved per round (medians printed):
  bare      spawn of `node -e 0` until it exits
  bare-get  spawn of a one-line node script (same node flags) that just GETs
            /invocation/next, until the GET arrives (the least any runtime client can do)
  ready     spawn of the bootstrap (trivial CommonJS handler) until its first GET /next
  first     spawn of the bootstrap until the response of its first invoke (a whole cold start)
  esm       as `first`, with an ES-module (.mjs) handler
In-process (immune to spawn noise): performance.now() — ms since the process started — at the
first Runtime API request, for `bare-get` and `ready`; their difference is what the bootstrap's
own code costs before it asks for work.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from node_harness import BOOTSTRAP, NODE, NODE_FLAGS, Bootstrap  # noqa: E402
from node_runtime_api import RuntimeApi  # noqa: E402

if os.environ.get("BENCH_NO_V8_FLAGS"):  # measure without the V8 flags (--expose-gc, heap sizes)
    NODE_FLAGS = [f for f in NODE_FLAGS if f.startswith(("--max-http", "--no-experimental"))]

CJS = {"index.js": "exports.handler = async (event) => event;"}
ESM = {"index.mjs": "export const handler = async (event) => event;"}
# Preloaded with -r: reports performance.now() when the first HTTP request starts (through
# diagnostics_channel, so that the probe itself does not load node's http stack).
PROBE = ("let d=0;require('diagnostics_channel').subscribe('http.client.request.start',()=>{"
         "if(!d){d=1;process.stderr.write('PROBE '+performance.now().toFixed(2)+'\\n');}});")
BARE_GET = ("require('http').request('http://'+process.env.AWS_LAMBDA_RUNTIME_API+"
            "'/2018-06-01/runtime/invocation/next',r=>process.exit(0)).end();")


def bare():
    t = time.perf_counter()
    subprocess.run([NODE, "-e", "0"], check=True)
    return time.perf_counter() - t


def spawn_until_next(api, args, probe):
    calls = api.next_calls
    env = {"PATH": os.environ["PATH"], "AWS_LAMBDA_RUNTIME_API": api.address}
    t = time.perf_counter()
    p = subprocess.Popen([NODE, *NODE_FLAGS, "-r", probe, *args], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    api.wait_next_calls(calls + 1)
    wall = time.perf_counter() - t
    p.kill()
    _, err = p.communicate()
    return wall, float(err.decode().split("PROBE ")[1].split()[0])


def bootstrap(api, files, until, probe):
    b = Bootstrap(api, files)
    calls = api.next_calls
    t = time.perf_counter()
    b.proc = subprocess.Popen([NODE, *NODE_FLAGS, "-r", probe, str(BOOTSTRAP)], cwd=b.task,
                              env=b.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if until == "ready":
            api.wait_next_calls(calls + 1)
        else:
            api.invoke({"ping": 1})
        wall = time.perf_counter() - t
    finally:
        b.proc.kill()
        _, err = b.proc.communicate()
        b.stop()
    return wall, float(err.decode().split("PROBE ")[1].split()[0])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    probe = os.path.join(tempfile.mkdtemp(prefix="lamina-bench-"), "probe.js")
    with open(probe, "w") as f:
        f.write(PROBE)
    wall = {k: [] for k in ("bare", "bare-get", "ready", "first", "esm")}
    inproc = {"bare-get": [], "ready": []}
    for _ in range(rounds):
        wall["bare"].append(bare())
        for key, run in (
            ("bare-get", lambda a: spawn_until_next(a, ["-e", BARE_GET], probe)),
            ("ready", lambda a: bootstrap(a, CJS, "ready", probe)),
            ("first", lambda a: bootstrap(a, CJS, "first", probe)),
            ("esm", lambda a: bootstrap(a, ESM, "first", probe)),
        ):
            api = RuntimeApi()
            try:
                w, at = run(api)
            finally:
                api.close()
            wall[key].append(w)
            if key in inproc:
                inproc[key].append(at)
    med = {k: statistics.median(v) * 1000 for k, v in wall.items()}
    print(f"rounds={rounds} node={subprocess.check_output([NODE, '--version']).decode().strip()}"
          f" flags={' '.join(NODE_FLAGS)}")
    print("wall clock (spawn -> event):")
    for k, v in wall.items():
        extra = "" if k == "bare" else f"   ({med[k] - med['bare']:+.1f} ms vs bare)"
        print(f"  {k:8s} median {med[k]:7.1f} ms   min {min(v) * 1000:7.1f} ms{extra}")
    print("in-process, ms since process start at the first Runtime API request:")
    for k, v in inproc.items():
        print(f"  {k:8s} median {statistics.median(v):7.2f} ms   min {min(v):7.2f} ms")
    print(f"  bootstrap's own cost before /next: "
          f"{statistics.median(inproc['ready']) - statistics.median(inproc['bare-get']):.2f} ms")


if __name__ == "__main__":
    main()
