// The `lamina` command line.
#pragma once

namespace lamina::cli {

int Main(int argc, char** argv);

}  // namespace lamina::cli
