// host_services.hpp — the host's side of vigil_host: logging, progress,
// cancellation and error capture for one plugin object.
//
// Why this file exists: every plugin object gets its own vigil_host table
// (sdk/include/vigil/vigil_host.h) whose callbacks route to the host's log,
// its progress line and its cancel flag, and capture the message of the last
// failure so the host can report "<plugin>: <message>".
#pragma once

#include <vigil/vigil_host.h>

#include <atomic>
#include <string>

namespace vigil {

// Global knobs of the process (set by the CLI).
void set_log_threshold(vigil_log_level level);  // default INFO
void request_cancel();                          // e.g. from a SIGINT handler
bool cancel_requested();

class HostServices {
public:
    HostServices(std::string label, uint64_t seed, uint32_t threads);
    HostServices(const HostServices &) = delete;
    HostServices &operator=(const HostServices &) = delete;

    const vigil_host *raw() const { return &host_; }
    const std::string &label() const { return label_; }
    // The message of the plugin's last failure ("" if it gave none); clears it.
    std::string take_error();

private:
    static void log_cb(void *ctx, vigil_log_level level, const char *message);
    static void progress_cb(void *ctx, uint64_t done, uint64_t total, const char *label);
    static int32_t cancelled_cb(void *ctx);
    static void error_cb(void *ctx, const char *message);

    vigil_host host_{};
    std::string label_;
    std::string last_error_;
};

} // namespace vigil
