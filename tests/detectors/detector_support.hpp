// detector_support.hpp — shared by the detector tests: the real plugin
// registry, random data, and running a detector through the host's checked
// plugin objects.
#pragma once

#include "host_fixture.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/plugin_object.hpp>
#include <vigil/framework/registry.hpp>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace vigil::test {

inline const Registry &plugins() {
    static Registry r = [] {
        Registry reg;
        reg.scan({VIGIL_PLUGIN_DIR});
        return reg;
    }();
    return r;
}

inline const PluginLibrary *variant(const char *name, vigil_backend b) {
    const PluginGroup *g = plugins().find(VIGIL_KIND_DETECTOR, name);
    if (!g) return nullptr;
    for (const auto &v : g->variants)
        if (v.lib.backend() == b) return &v.lib;
    return nullptr;
}

inline std::unique_ptr<DetectorObject> detector(const char *name, const nlohmann::json &params,
                                                vigil_backend b = VIGIL_BACKEND_CPU) {
    const PluginLibrary *lib = variant(name, b);
    if (!lib) throw Error(ErrorKind::Plugin, std::string("plugin not built: ") + name);
    return std::make_unique<DetectorObject>(*lib, params, RunSettings{0, 2});
}

inline Tensor random_tensor(int64_t n, int64_t d, uint64_t seed, float shift = 0.0f) {
    Tensor t(VIGIL_DTYPE_FLOAT32, {n, d});
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (int64_t i = 0; i < n * d; ++i) t.data<float>()[i] = g(rng) + shift;
    return t;
}

} // namespace vigil::test
