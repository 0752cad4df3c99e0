#include "cli/app.h"

int main(int argc, char** argv) { return xpeer::run_cli(argc, argv); }
