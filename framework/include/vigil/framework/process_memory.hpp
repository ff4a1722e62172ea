// process_memory.hpp — this process's memory as Linux reports it, for the
// figures the CLI and the benchmarks print (peak and current resident set).
#pragma once

namespace vigil {

// A "Vm...:" line of /proc/self/status in MiB, e.g. "VmHWM:" (peak resident
// set since exec) or "VmRSS:" (current); 0 where /proc or the key is absent.
// VmHWM starts from zero at exec, unlike the ru_maxrss a parent gets from
// wait4, which Linux floors at the parent's own peak.
double process_status_mib(const char *key);

} // namespace vigil
