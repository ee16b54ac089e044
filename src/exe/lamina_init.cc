#include "init/init_main.h"

int main(int argc, char** argv) { return lamina::init::Main(argc, argv); }
