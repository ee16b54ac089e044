# Lamina Python runtime bootstrap (python3.8 - python3.14), standard library only.
#
# Interpreter command line (what lamina-init should exec):
#
#     /usr/bin/python3 -S -B /var/runtime/python/bootstrap.py
#
#   -S  skip `site` at start-up (here it more than doubles the interpreter's own start-up: 46 M
#       instead of 21 M instructions, mostly .pth processing); lamina_runtime adds the
#       interpreter's site-packages to sys.path itself and honours .pth files in the function's
#       own directories (task root, /opt/python...) exactly like AWS's bootstrap does.
#   -B  never try to write .pyc files (/var/task and /var/runtime are read-only).
#   Do not pass -E/-I: PYTHONPATH and the other PYTHON* variables set on a function must work,
#   as on AWS. -u is not needed: stdout/stderr are wrapped to flush every write.
#
# Environment (as AWS provides it): AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT,
# AWS_LAMBDA_FUNCTION_NAME/_VERSION/_MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME/_STREAM_NAME,
# AWS_REGION, optionally AWS_LAMBDA_LOG_LEVEL, AWS_LAMBDA_LOG_FORMAT, AWS_EXECUTION_ENV
# (AWS_Lambda_python3.N: on 3.12+ responses keep non-ASCII characters unescaped, like AWS),
# LAMBDA_RUNTIME_DIR, _LAMBDA_TELEMETRY_LOG_FD.
#
# Start-up tip: this file is a stub so the real work lives in lamina_runtime.py, which Python can
# load from a precompiled __pycache__/lamina_runtime.cpython-3XY.pyc. Generate those once per
# installed interpreter when the runtime is installed (e.g. `python3 -m compileall -q
# /var/runtime/python`); without them the module is compiled at every start (~23 M
# instructions, more than a third of the runtime's start-up cost).

import sys

_here = __file__.rpartition("/")[0] or "."
if not sys.path or sys.path[0] != _here:
    sys.path.insert(0, _here)
import lamina_runtime  # noqa: E402

# Function code must not see the runtime's directory on sys.path.
if sys.path and sys.path[0] == _here:
    del sys.path[0]

if __name__ == "__main__":
    lamina_runtime.main(own_files=(__file__,))
