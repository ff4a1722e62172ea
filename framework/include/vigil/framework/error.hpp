// error.hpp — the host's one exception type.
//
// Why this file exists: every failure the host reports to a user (bad file,
// bad pipeline, plugin refused) is one clear message naming the place; this
// type carries that message and an exit-code category to the CLI.
#pragma once

#include <stdexcept>
#include <string>

namespace vigil {

// Categories map to the CLI's documented exit codes (apps/vigil/main.cpp).
enum class ErrorKind {
    Usage = 2,     // bad command line
    Input = 3,     // unreadable, missing, truncated or mismatched data / model file
    Pipeline = 4,  // pipeline JSON invalid (names the JSON path)
    Plugin = 5,    // a plugin was refused or failed
    Internal = 1
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

[[noreturn]] inline void throw_input(const std::string &m) { throw Error(ErrorKind::Input, m); }
[[noreturn]] inline void throw_pipeline(const std::string &m) { throw Error(ErrorKind::Pipeline, m); }
[[noreturn]] inline void throw_plugin(const std::string &m) { throw Error(ErrorKind::Plugin, m); }

} // namespace vigil
