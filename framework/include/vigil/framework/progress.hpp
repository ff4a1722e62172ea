// progress.hpp — the one progress line of the process, on stderr.
//
// Why this file exists: long work (reading data, fitting, scoring) must show
// progress (done/total, rate, ETA) — a live line that rewrites itself on a
// terminal, plain throttled lines when stderr is a file or pipe (CI logs).
#pragma once

#include <cstdint>
#include <string>

namespace vigil::progress {

void enable(bool on);   // default on; off for --quiet
void update(const std::string &label, uint64_t done, uint64_t total);
void finish();          // end the current line (if any)

} // namespace vigil::progress
