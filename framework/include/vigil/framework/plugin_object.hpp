// plugin_object.hpp — RAII C++ objects over one plugin handle of each kind.
//
// Why this file exists: the host calls plugins only through these classes.
// They own the handle (destroyed before the library can unload), check every
// status code, turn failures into one vigil::Error naming the plugin and the
// operation ("knn (cpu) fit: k = 10 exceeds ..."), guard against exceptions
// thrown across the C ABI by foreign plugins, and check plugin outputs
// (non-finite scores are an error, never a silently wrong answer).
#pragma once

#include <vigil/framework/host_services.hpp>
#include <vigil/framework/plugin_library.hpp>
#include <vigil/framework/tensor.hpp>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

// Fixed batch size for score/transform calls: the same in `run`, `fit` and
// `score`, so a loaded model reproduces scores bit for bit.
constexpr int64_t kBatchSamples = 4096;

struct RunSettings {
    uint64_t seed = 0;
    uint32_t threads = 2;
};

class PluginObject {
public:
    PluginObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings);
    virtual ~PluginObject();
    PluginObject(const PluginObject &) = delete;
    PluginObject &operator=(const PluginObject &) = delete;

    const PluginLibrary &library() const { return lib_; }
    const nlohmann::json &params() const { return params_; }

protected:
    // Throws vigil::Error(Plugin) "<label> <op>: <message> (<status>)" unless s == OK.
    void check(vigil_status s, const char *op);
    // Runs one C call; a foreign plugin that lets an exception escape is
    // reported as a plugin bug instead of taking the host down.
    template <class F> void call(const char *op, F &&f) {
        vigil_status s = VIGIL_ERR_INTERNAL;
        bool threw = false;
        try {
            s = f();
        } catch (...) {
            threw = true;
        }
        if (threw) fail_threw(op);
        check(s, op);
    }
    [[noreturn]] void fail_threw(const char *op);

    PluginLibrary lib_;
    nlohmann::json params_;
    std::unique_ptr<HostServices> host_;
    vigil_handle handle_ = nullptr;
    void (*destroy_)(vigil_handle) = nullptr;
};

class DetectorObject : public PluginObject {
public:
    DetectorObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings);
    void fit(const Tensor &x, const std::vector<int32_t> *labels);
    std::vector<float> score(const Tensor &x);
    std::vector<uint8_t> save();
    void load(const std::vector<uint8_t> &state);

private:
    const vigil_detector_iface *t_;
};

class ExtractorObject : public PluginObject {
public:
    ExtractorObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings);
    std::vector<int64_t> output_shape(const std::vector<int64_t> &sample_shape);
    bool has_fit() const { return t_->fit != nullptr; }
    void fit(const Tensor &x, const std::vector<int32_t> *labels);
    Tensor transform(const Tensor &x);
    std::vector<uint8_t> save();
    void load(const std::vector<uint8_t> &state);

private:
    const vigil_extractor_iface *t_;
};

class EvaluatorObject : public PluginObject {
public:
    EvaluatorObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings);
    // Metrics in the order the evaluator reported them.
    std::vector<std::pair<std::string, double>> evaluate(const std::vector<float> &scores,
                                                         const std::vector<int32_t> &labels);

private:
    const vigil_evaluator_iface *t_;
};

} // namespace vigil
