// cuda_no_device_test.cpp — every cuda plugin variant in the build's plugin
// folder (found by file name, so plugins added later are covered without
// listing them), through the C ABI: it loads, has a cpu sibling with the same
// name, kind and parameter schema, declares the cuda backend, and — without a
// usable device — probes 0 with a reason starting "no usable CUDA device: "
// and refuses create with VIGIL_ERR_NO_DEVICE and that same reason. With a
// device the per-plugin agreement tests (*_cuda_test.cpp) do the work.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {

// "vigil-<name>-cuda.so" -> <name>, for every cuda library in the plugin folder.
std::vector<std::string> cuda_plugin_names() {
    std::vector<std::string> names;
    const std::string prefix = "vigil-", suffix = "-cuda.so";
    for (const auto &e : std::filesystem::directory_iterator(VIGIL_PLUGIN_DIR)) {
        const std::string f = e.path().filename().string();
        if (f.size() > prefix.size() + suffix.size() && f.compare(0, prefix.size(), prefix) == 0 &&
            f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0)
            names.push_back(f.substr(prefix.size(), f.size() - prefix.size() - suffix.size()));
    }
    std::sort(names.begin(), names.end());
    return names;
}

vigil_status create_any(const PluginSo &so, const RecordingHost &host, Handle &h) {
    switch (so.desc().kind) {
    case VIGIL_KIND_DETECTOR: return create(so.iface<vigil_detector_iface>(), "{}", host, h);
    case VIGIL_KIND_EXTRACTOR: return create(so.iface<vigil_extractor_iface>(), "{}", host, h);
    default: return create(so.iface<vigil_evaluator_iface>(), "{}", host, h);
    }
}

} // namespace

TEST_CASE("every cuda variant: cpu sibling with the same schema, and a clean 'no device' without a GPU") {
    const std::vector<std::string> names = cuda_plugin_names();
    if (names.empty()) {
        MESSAGE("skipped: no vigil-*-cuda.so in " << VIGIL_PLUGIN_DIR << " (no CUDA toolkit at configure time)");
        return;
    }
    // The plugins with a cuda variant today; a later one only adds to the list.
    for (const char *expected : {"copod", "iforest", "kde", "knn", "lof", "mahalanobis", "ocsvm", "pca",
                                 "pca_extractor", "svdd", "zca"})
        CHECK_MESSAGE(std::find(names.begin(), names.end(), expected) != names.end(), expected);
    for (const std::string &name : names) {
        CAPTURE(name);
        PluginSo so(plugin_path(name, "cuda"));
        REQUIRE_MESSAGE(plugin_built(name, "cpu"), "a cuda variant without a cpu sibling");
        PluginSo cpu(plugin_path(name, "cpu"));
        CHECK(so.desc().backend == VIGIL_BACKEND_CUDA);
        CHECK(std::string(so.desc().name) == cpu.desc().name);
        CHECK(so.desc().kind == cpu.desc().kind);
        CHECK(std::string(so.desc().params_schema) == cpu.desc().params_schema);
        std::string why;
        const int32_t score = probe(so, why);
        if (score > 0) {
            CHECK(score == 200);  // preferred over cpu (100)
            MESSAGE(name << ": a CUDA device is usable here; the no-device path is not exercised");
            continue;
        }
        CHECK(score == 0);
        CHECK(why.find("no usable CUDA device: ") == 0);
        RecordingHost host;
        Handle h = null_handle();
        CHECK(create_any(so, host, h) == VIGIL_ERR_NO_DEVICE);
        CHECK(h.get() == nullptr);
        CHECK(host.last_error == why);  // create() reports the probe's reason
    }
    MESSAGE(names.size() << " cuda variants checked");
}
