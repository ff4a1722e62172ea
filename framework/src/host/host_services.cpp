// host_services.cpp — vigil_host callbacks routed to the host (see host_services.hpp).
#include <vigil/framework/host_services.hpp>
#include <vigil/framework/progress.hpp>

#include <cstdio>

namespace vigil {
namespace {
std::atomic<int> g_threshold{VIGIL_LOG_INFO};
std::atomic<bool> g_cancel{false};
} // namespace

void set_log_threshold(vigil_log_level level) { g_threshold = level; }
void request_cancel() { g_cancel = true; }
bool cancel_requested() { return g_cancel.load(); }

HostServices::HostServices(std::string label, uint64_t seed, uint32_t threads) : label_(std::move(label)) {
    host_.struct_size = sizeof(vigil_host);
    host_.ctx = this;
    host_.log = &log_cb;
    host_.progress = &progress_cb;
    host_.cancelled = &cancelled_cb;
    host_.error = &error_cb;
    host_.seed = seed;
    host_.threads = threads > 0 ? threads : 1;
}

std::string HostServices::take_error() {
    std::string e = std::move(last_error_);
    last_error_.clear();
    return e;
}

void HostServices::log_cb(void *ctx, vigil_log_level level, const char *message) {
    if (level < g_threshold.load() || !message) return;
    static const char *names[] = {"debug", "info", "warning", "error"};
    const char *lv = (level >= 0 && level <= 3) ? names[level] : "log";
    progress::finish();
    std::fprintf(stderr, "[%s] %s: %s\n", static_cast<HostServices *>(ctx)->label_.c_str(), lv, message);
}

void HostServices::progress_cb(void *ctx, uint64_t done, uint64_t total, const char *label) {
    auto *self = static_cast<HostServices *>(ctx);
    progress::update(self->label_ + (label && *label ? std::string(" ") + label : std::string()), done, total);
}

int32_t HostServices::cancelled_cb(void *) { return g_cancel.load() ? 1 : 0; }

void HostServices::error_cb(void *ctx, const char *message) {
    static_cast<HostServices *>(ctx)->last_error_ = message ? message : "";
}

} // namespace vigil
