// `lamina-init`: PID 1 of an execution environment.
//
//   lamina-init [--root DIR --task DIR --runtime DIR --tmp-mb N --uid U --gid G
//                --hostname NAME] [--port P] -- BOOTSTRAP [ARGS...]
//
// With --root it first builds and enters the sandbox (init/setup.h) and drops privileges; without
// it serves the Runtime API where it stands (for tests). The daemon's socket is fd 3.
#pragma once

namespace lamina::init {

int Main(int argc, char** argv);

}  // namespace lamina::init
