// progress.cpp — throttled progress line on stderr (see progress.hpp).
#include <vigil/framework/progress.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <unistd.h>

namespace vigil::progress {
namespace {

using Clock = std::chrono::steady_clock;

struct State {
    std::mutex mu;
    bool enabled = true;
    bool tty = isatty(STDERR_FILENO) != 0;
    bool line_open = false;
    std::string label;
    Clock::time_point started, last;
    Clock::time_point last_line = Clock::now();  // non-terminal throttle
};

State &state() {
    static State s;
    return s;
}

} // namespace

void enable(bool on) {
    std::lock_guard<std::mutex> g(state().mu);
    state().enabled = on;
}

void update(const std::string &label, uint64_t done, uint64_t total) {
    State &s = state();
    std::lock_guard<std::mutex> g(s.mu);
    if (!s.enabled) return;
    const auto now = Clock::now();
    if (label != s.label) {
        if (s.line_open && s.tty) std::fputc('\n', stderr);
        s.line_open = false;
        s.label = label;
        s.started = now;
        s.last = now - std::chrono::hours(1);
    }
    const bool final = total > 0 && done >= total;
    // Terminal: redraw at most 10 times a second (and always at 100%).
    // Log file or pipe: one line at most every 5 s across all steps, so short
    // steps stay silent and long ones show they are alive.
    if (s.tty) {
        if (!final && now - s.last < std::chrono::milliseconds(100)) return;
    } else {
        if (now - s.last_line < std::chrono::seconds(5)) return;
        s.last_line = now;
    }
    s.last = now;
    const double secs = std::chrono::duration<double>(now - s.started).count();
    char eta[64] = "";
    if (total > 0 && done > 0 && !final) std::snprintf(eta, sizeof eta, ", ETA %.0fs", secs * (double(total) / done - 1));
    if (total > 0)
        std::fprintf(stderr, "%s[%s] %llu/%llu (%.0f%%) %.1fs%s%s", s.tty ? "\r\033[K" : "", label.c_str(),
                     (unsigned long long)done, (unsigned long long)total, 100.0 * done / total, secs, eta,
                     s.tty ? "" : "\n");
    else
        std::fprintf(stderr, "%s[%s] %llu %.1fs%s", s.tty ? "\r\033[K" : "", label.c_str(), (unsigned long long)done,
                     secs, s.tty ? "" : "\n");
    s.line_open = s.tty;
    if (final && s.tty) {
        std::fputc('\n', stderr);
        s.line_open = false;
    }
    std::fflush(stderr);
}

void finish() {
    State &s = state();
    std::lock_guard<std::mutex> g(s.mu);
    if (s.line_open && s.tty) std::fputc('\n', stderr);
    s.line_open = false;
    s.label.clear();
}

} // namespace vigil::progress
