#include "cli/main.h"

int main(int argc, char** argv) { return lamina::cli::Main(argc, argv); }
