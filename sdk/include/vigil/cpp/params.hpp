// vigil/cpp/params.hpp — reading a plugin's JSON parameters with checks and
// messages that name the parameter.
//
// Why this file exists: the host validates parameters against the plugin's
// JSON Schema before create(), but a plugin may be driven by another host (or
// by its own tests) that does not, so every plugin re-checks what it reads.
// Those checks are the same in every plugin; they live here once.
//
//     vigil::sdk::Params p(params, "knn", {"k", "aggregate"});   // unknown keys are an error
//     int k = p.integer("k", 5, 1, 100000);                       // default, inclusive range
//     std::string agg = p.choice("aggregate", "kth", {"kth", "mean"});
//
// Every failure throws vigil::sdk::Error(VIGIL_ERR_INVALID_ARGUMENT) with a
// message of the form "parameter k must be an integer in 1..100000, got 0".
// Header-only; needs only nlohmann/json and vigil/cpp/plugin.hpp.
#ifndef VIGIL_CPP_PARAMS_HPP
#define VIGIL_CPP_PARAMS_HPP

#include <vigil/cpp/plugin.hpp>

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace vigil::sdk {

class Params {
public:
    // `plugin` names the plugin in messages; `known` lists every accepted key.
    Params(const nlohmann::json &p, std::string plugin, std::initializer_list<const char *> known)
        : p_(p), plugin_(std::move(plugin)) {
        require(p_.is_object(), plugin_ + ": parameters must be a JSON object");
        std::string list;
        for (const char *k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        for (auto it = p_.begin(); it != p_.end(); ++it) {
            bool ok = false;
            for (const char *k : known) ok = ok || it.key() == k;
            require(ok, "unknown parameter '" + it.key() + "' (" + plugin_ + " takes " + list + ")");
        }
    }

    bool has(const char *key) const { return p_.contains(key) && !p_.at(key).is_null(); }
    const nlohmann::json &raw(const char *key) const { return p_.at(key); }

    // An integer in [lo, hi], or `fallback` when absent.
    int64_t integer(const char *key, int64_t fallback, int64_t lo, int64_t hi) const {
        if (!has(key)) return fallback;
        const nlohmann::json &v = p_.at(key);
        if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
            fail(VIGIL_ERR_INVALID_ARGUMENT, "parameter " + std::string(key) + " must be an integer in " +
                                                 std::to_string(lo) + ".." + std::to_string(hi) + ", got " + v.dump());
        return v.get<int64_t>();
    }

    // A finite number in [lo, hi] (or (lo, hi] when lo_open), or `fallback` when absent.
    double number(const char *key, double fallback, double lo, double hi, bool lo_open = false) const {
        if (!has(key)) return fallback;
        const nlohmann::json &v = p_.at(key);
        const bool num = v.is_number() && std::isfinite(v.get<double>());
        const double x = num ? v.get<double>() : 0.0;
        if (!num || x > hi || (lo_open ? x <= lo : x < lo))
            fail(VIGIL_ERR_INVALID_ARGUMENT, "parameter " + std::string(key) + " must be a number in " +
                                                 (lo_open ? "(" : "[") + num_text(lo) + ", " + num_text(hi) +
                                                 "], got " + v.dump());
        return x;
    }

    // One of `options`, or `fallback` when absent.
    std::string choice(const char *key, const std::string &fallback, std::initializer_list<const char *> options) const {
        if (!has(key)) return fallback;
        const nlohmann::json &v = p_.at(key);
        std::string list;
        for (const char *o : options) {
            if (v.is_string() && v.get<std::string>() == o) return o;
            list += (list.empty() ? "\"" : ", \"") + std::string(o) + "\"";
        }
        fail(VIGIL_ERR_INVALID_ARGUMENT, "parameter " + std::string(key) + " must be one of " + list + ", got " + v.dump());
    }

    bool boolean(const char *key, bool fallback) const {
        if (!has(key)) return fallback;
        const nlohmann::json &v = p_.at(key);
        require(v.is_boolean(), "parameter " + std::string(key) + " must be true or false, got " + v.dump());
        return v.get<bool>();
    }

private:
    static std::string num_text(double v) {
        if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return buf;
    }
    const nlohmann::json &p_;
    std::string plugin_;
};

} // namespace vigil::sdk

#endif
