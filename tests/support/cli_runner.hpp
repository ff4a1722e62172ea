// cli_runner.hpp — run the built `vigil` command line in a test and collect
// its exit code and output (tests/cli, tests/bench).
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace vigil::test {

struct CliResult {
    int code;         // exit status, -1 if it did not exit normally
    std::string out;  // stdout, and stderr too unless with_stderr is false
};

inline CliResult vigil_cmd(const std::string &args, bool with_stderr = true) {
    const std::string cmd =
        std::string(VIGIL_BINARY_DIR) + "/apps/vigil/vigil " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
    FILE *p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace vigil::test
