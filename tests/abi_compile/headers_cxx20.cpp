// headers_cxx20.cpp — the SDK's C headers and C++ helpers must compile as
// C++20 with -Wall -Wextra -pedantic -Werror (the suite itself is C++17).
#include <vigil/cpp/params.hpp>
#include <vigil/cpp/plugin.hpp>
#include <vigil/vigil.h>

size_t vigil_abi_cxx20_sizes() { return sizeof(vigil_plugin_desc) + sizeof(vigil::sdk::Host); }
