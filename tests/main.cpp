// main.cpp — doctest's runner for vigil_tests (all tests/unit/*.cpp files).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
