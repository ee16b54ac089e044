"""Cold-start benchmark of the Python bootstrap: wall time from spawning the process to the
first GET /2018-06-01/runtime/invocation/next reaching the Runtime API (test double, in this
process), for a trivial handler. Compared with the floor: a `python3 -S -B -c` one-liner that
only opens the same socket and sends the same request.

    /usr/bin/python3 tests/runtimes/python/bench_startup.py [runs] [python] [--instructions]

Also prints the modules the bootstrap imports before the first GET (-X importtime).
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_api_double import RuntimeAPIDouble  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BOOTSTRAP = os.path.join(REPO, "src", "runtimes", "python", "bootstrap.py")

FLOOR = (
    "import _socket,os;h,p=os.environ['AWS_LAMBDA_RUNTIME_API'].split(':');"
    "s=_socket.socket();s.connect((h,int(p)));"
    "s.sendall(b'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n');"
    "s.recv(1)"
)


def one_run(python, args, env, extra=()):
    api = RuntimeAPIDouble()
    env = dict(env, AWS_LAMBDA_RUNTIME_API=api.address)
    try:
        t0 = time.time()
        proc = subprocess.Popen(
            [python] + list(extra) + args,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        with api.cond:
            api.cond.wait_for(lambda: any(r[1] == "GET" for r in api.requests), 10)
        arrival = [r[0] for r in api.requests if r[1] == "GET"][0]  # stamped with time.time()
        elapsed = (arrival - t0) * 1000
        proc.kill()
        err = proc.stderr.read()
        proc.stderr.close()
        # CPU time the process used up to the GET (it then blocks in recv until killed): a
        # measure that, unlike wall time, hardly depends on what else the machine is doing.
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = -9
        cpu = (usage.ru_utime + usage.ru_stime) * 1000
        return elapsed, cpu, err.decode("utf-8", "replace")
    finally:
        api.stop()


def instructions(python, args, env):
    api = RuntimeAPIDouble()
    api.next_status = 500
    out = tempfile.mktemp()
    try:
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, python, "-S", "-B"]
            + args,
            env=dict(env, AWS_LAMBDA_RUNTIME_API=api.address),
            capture_output=True,
            text=True,
        )
    finally:
        api.stop()
        if os.path.exists(out):
            os.unlink(out)
    return int(re.search(r"Collected : (\d+)", proc.stderr).group(1))


def main():
    argv = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(argv[0]) if argv else 20
    python = argv[1] if len(argv) > 1 else "/usr/bin/python3"
    task = tempfile.mkdtemp()
    with open(os.path.join(task, "app.py"), "w") as f:
        f.write("def handler(event, context):\n    return event\n")
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "_HANDLER": "app.handler",
        "LAMBDA_TASK_ROOT": task,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
    }
    # Two copies of the runtime: as shipped (compiled at every start, -B writes nothing) and
    # with __pycache__ precompiled by `python3 -m compileall`.
    plain = os.path.join(tempfile.mkdtemp(), "python")
    compiled = os.path.join(tempfile.mkdtemp(), "python")
    for d in (plain, compiled):
        shutil.copytree(os.path.dirname(BOOTSTRAP), d, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.check_call([python, "-m", "compileall", "-q", compiled])
    variants = (
        ("floor (python -S -B -c 'connect + GET')", ["-c", FLOOR]),
        ("bootstrap.py", [os.path.join(plain, "bootstrap.py")]),
        ("bootstrap.py, precompiled .pyc", [os.path.join(compiled, "bootstrap.py")]),
    )
    # Round-robin, so that changes in machine load hit every variant alike.
    results = {name: [] for name, _ in variants}
    for _ in range(runs):
        for name, args in variants:
            results[name].append(one_run(python, args, env, ["-S", "-B"])[:2])
    print("spawn -> first GET /next arrives (%s, %d runs each)" % (python, runs))
    for name, rows in results.items():
        wall = [r[0] for r in rows]
        cpu = [r[1] for r in rows]
        print(
            "%-38s wall median %6.1f ms (min %5.1f, max %5.1f)   cpu median %5.1f ms"
            % (name, statistics.median(wall), min(wall), max(wall), statistics.median(cpu))
        )
    if "--instructions" in sys.argv:
        # Deterministic cost, independent of machine load: user-space instructions (valgrind
        # callgrind) from exec to exit, the Runtime API answering the first GET /next with 500 so
        # that the process exits right after sending it.
        print("\ninstructions, exec -> first GET /next -> exit (callgrind):")
        for name, args in (
            ("floor", ["-c", FLOOR]),
            ("bootstrap.py", [os.path.join(plain, "bootstrap.py")]),
            ("bootstrap.py, precompiled .pyc", [os.path.join(compiled, "bootstrap.py")]),
        ):
            print("  %-32s %6.1f M" % (name, instructions(python, args, env) / 1e6))
    _, _, err = one_run(
        python, [os.path.join(plain, "bootstrap.py")], env, ["-S", "-B", "-X", "importtime"]
    )
    print("\nimports before the first GET /next (-X importtime, one run; us):")
    for line in err.splitlines():
        if line.startswith("import time:"):
            print("  " + line[len("import time:") :])
    shutil.rmtree(os.path.dirname(plain))
    shutil.rmtree(os.path.dirname(compiled))
    shutil.rmtree(task)


if __name__ == "__main__":
    main()
