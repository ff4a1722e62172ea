// plugin_so.hpp — talk to one plugin library through the raw C ABI, with no
// host code in between: dlopen the .so, call vigil_plugin_entry, create
// objects with a host table that records errors, and feed tensors, metric
// sinks and state streams by hand.
//
// Why this file exists: plugin tests must see exactly what a third-party host
// would see (descriptor fields, status codes, the messages handed to
// host->error), not what the framework makes of them. Header-only, shared by
// every test area that checks plugins (tests/evaluators, tests/extractors, ...).
//
// Typical use:
//     vigil::test::PluginSo so(VIGIL_PLUGIN_DIR "/vigil-roc-cpu.so");
//     REQUIRE(so.desc().kind == VIGIL_KIND_EVALUATOR);
//     vigil::test::RecordingHost host;
//     vigil::test::Handle h;
//     REQUIRE(vigil::test::create(so.evaluator(), "{}", host, h) == VIGIL_OK);
//     vigil::test::MetricCollector m;
//     so.evaluator().evaluate(h.get(), scores, labels, n, m.sink());
//     CHECK(m.at("auroc") == 0.75);
// Most test cases start from the PluginTest fixture below instead (library,
// host and table in one), and extractor tests call fit()/transform()/
// output_dims() at the end of this file with std::vector data.
#pragma once

#include <vigil/vigil.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace vigil::test {

// A loaded plugin library; dlclose()d on destruction (destroy its objects first).
class PluginSo {
public:
    // Throws std::runtime_error (with dlerror's text) if the library cannot be
    // loaded, lacks vigil_plugin_entry, or the entry returns NULL.
    explicit PluginSo(const std::string &path, uint32_t host_abi = VIGIL_ABI_VERSION) : path_(path) {
        lib_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!lib_) throw std::runtime_error("dlopen " + path + ": " + dlerror());
        auto entry = reinterpret_cast<vigil_plugin_entry_fn>(dlsym(lib_, VIGIL_PLUGIN_ENTRY_SYMBOL));
        if (!entry) {
            dlclose(lib_);
            throw std::runtime_error(path + ": no " VIGIL_PLUGIN_ENTRY_SYMBOL " symbol");
        }
        desc_ = entry(host_abi);
        if (!desc_) {
            dlclose(lib_);
            throw std::runtime_error(path + ": " VIGIL_PLUGIN_ENTRY_SYMBOL " returned NULL");
        }
    }
    ~PluginSo() {
        if (lib_) dlclose(lib_);
    }
    PluginSo(const PluginSo &) = delete;
    PluginSo &operator=(const PluginSo &) = delete;

    const vigil_plugin_desc &desc() const { return *desc_; }
    // The function table, checked against the descriptor's kind (throws on mismatch).
    const vigil_evaluator_iface &evaluator() const { return table<vigil_evaluator_iface>(VIGIL_KIND_EVALUATOR); }
    const vigil_extractor_iface &extractor() const { return table<vigil_extractor_iface>(VIGIL_KIND_EXTRACTOR); }
    const vigil_detector_iface &detector() const { return table<vigil_detector_iface>(VIGIL_KIND_DETECTOR); }
    // The same, chosen by the table's type (for code written once for every kind).
    template <class Iface> const Iface &iface() const {
        if constexpr (std::is_same<Iface, vigil_evaluator_iface>::value) {
            return evaluator();
        } else if constexpr (std::is_same<Iface, vigil_extractor_iface>::value) {
            return extractor();
        } else {
            static_assert(std::is_same<Iface, vigil_detector_iface>::value, "not a plugin function table");
            return detector();
        }
    }
    const std::string &path() const { return path_; }

private:
    template <class T> const T &table(vigil_kind want) const {
        if (desc_->kind != want || !desc_->iface) throw std::runtime_error(path_ + ": plugin is of another kind");
        return *static_cast<const T *>(desc_->iface);
    }
    std::string path_;
    void *lib_ = nullptr;
    const vigil_plugin_desc *desc_ = nullptr;
};

// A vigil_host whose error() records the messages a plugin reports (the last
// one in last_error, all of them in errors) and whose log() keeps the lines.
// Not copyable or movable: the table's ctx points at this object.
class RecordingHost {
public:
    RecordingHost() {
        host_.struct_size = sizeof(vigil_host);
        host_.ctx = this;
        host_.log = [](void *ctx, vigil_log_level, const char *msg) { self(ctx)->logs.emplace_back(msg ? msg : ""); };
        host_.progress = [](void *, uint64_t, uint64_t, const char *) {};
        host_.cancelled = [](void *ctx) -> int32_t { return self(ctx)->cancel ? 1 : 0; };
        host_.error = [](void *ctx, const char *msg) {
            self(ctx)->last_error = msg ? msg : "";
            self(ctx)->errors.push_back(self(ctx)->last_error);
        };
        host_.seed = 0;
        host_.threads = 1;
    }
    RecordingHost(const RecordingHost &) = delete;
    RecordingHost &operator=(const RecordingHost &) = delete;

    const vigil_host *get() const { return &host_; }
    void clear() {
        last_error.clear();
        errors.clear();
    }

    std::string last_error;
    std::vector<std::string> errors;
    std::vector<std::string> logs;
    bool cancel = false; // what cancelled() answers

private:
    static RecordingHost *self(void *ctx) { return static_cast<RecordingHost *>(ctx); }
    vigil_host host_{};
};

// An object handle that calls the table's destroy() when it goes away.
using Handle = std::unique_ptr<vigil_object_s, void (*)(vigil_handle)>;
inline Handle null_handle() { return Handle(nullptr, [](vigil_handle) {}); }

// create() through any kind's table; on success `out` owns the new object.
template <class Iface>
vigil_status create(const Iface &t, const char *params_json, const RecordingHost &host, Handle &out) {
    vigil_handle h = nullptr;
    const vigil_status s = t.create(params_json, host.get(), &h);
    out = Handle(h, t.destroy);
    return s;
}

// The opening most plugin test cases share: the library loaded, a
// RecordingHost, and the function table of kind Iface (vigil_evaluator_iface,
// vigil_extractor_iface or vigil_detector_iface). Meant as a doctest fixture,
// so that a test body names so, host and api directly (this header itself
// does not depend on doctest):
//     struct Roc : EvaluatorTest { Roc() : EvaluatorTest(kRocSo) {} };
//     TEST_CASE_FIXTURE(Roc, "roc: ...") {
//         Handle h = null_handle();
//         REQUIRE(make(h) == VIGIL_OK);
//         MetricCollector m;
//         CHECK(api.evaluate(h.get(), s, y, n, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
//         CHECK(host.last_error == "...");
//     }
template <class Iface> struct PluginTest {
    explicit PluginTest(const std::string &path) : so(path), api(so.iface<Iface>()) {}
    PluginTest(const PluginTest &) = delete;
    PluginTest &operator=(const PluginTest &) = delete;

    // create() through api with this fixture's host; on success `out` owns the object.
    vigil_status make(Handle &out, const char *params_json = "{}") const {
        return create(api, params_json, host, out);
    }

    PluginSo so;
    RecordingHost host;
    const Iface &api;
};
using EvaluatorTest = PluginTest<vigil_evaluator_iface>;
using ExtractorTest = PluginTest<vigil_extractor_iface>;
using DetectorTest = PluginTest<vigil_detector_iface>;

// A metric sink that stores every put(), in order and by name.
class MetricCollector {
public:
    MetricCollector() {
        sink_.struct_size = sizeof(vigil_metric_sink);
        sink_.ctx = this;
        sink_.put = [](void *ctx, const char *name, double v) {
            auto *self = static_cast<MetricCollector *>(ctx);
            self->names.emplace_back(name);
            self->values[name] = v;
        };
    }
    MetricCollector(const MetricCollector &) = delete;
    MetricCollector &operator=(const MetricCollector &) = delete;

    const vigil_metric_sink *sink() const { return &sink_; }
    bool has(const std::string &name) const { return values.count(name) != 0; }
    double at(const std::string &name) const {
        auto it = values.find(name);
        if (it == values.end()) throw std::runtime_error("metric not reported: " + name);
        return it->second;
    }

    std::vector<std::string> names; // in the order they were put
    std::map<std::string, double> values;

private:
    vigil_metric_sink sink_{};
};

// save() target: appends to `bytes`.
class ByteWriter {
public:
    ByteWriter() {
        w_.struct_size = sizeof(vigil_writer);
        w_.ctx = this;
        w_.write = [](void *ctx, const void *p, size_t n) -> vigil_status {
            auto *self = static_cast<ByteWriter *>(ctx);
            const auto *b = static_cast<const uint8_t *>(p);
            self->bytes.insert(self->bytes.end(), b, b + n);
            return VIGIL_OK;
        };
    }
    ByteWriter(const ByteWriter &) = delete;
    ByteWriter &operator=(const ByteWriter &) = delete;
    const vigil_writer *get() const { return &w_; }
    std::vector<uint8_t> bytes;

private:
    vigil_writer w_{};
};

// load() source over a byte vector (copied), with remaining() so plugins can
// reject trailing bytes.
class ByteReader {
public:
    explicit ByteReader(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {
        r_.struct_size = sizeof(vigil_reader);
        r_.ctx = this;
        r_.read = [](void *ctx, void *p, size_t n) -> vigil_status {
            auto *self = static_cast<ByteReader *>(ctx);
            if (n > self->bytes_.size() - self->pos_) return VIGIL_ERR_IO;
            if (n) std::memcpy(p, self->bytes_.data() + self->pos_, n);
            self->pos_ += n;
            return VIGIL_OK;
        };
        r_.remaining = [](void *ctx) -> uint64_t {
            auto *self = static_cast<ByteReader *>(ctx);
            return self->bytes_.size() - self->pos_;
        };
    }
    ByteReader(const ByteReader &) = delete;
    ByteReader &operator=(const ByteReader &) = delete;
    const vigil_reader *get() const { return &r_; }

private:
    std::vector<uint8_t> bytes_;
    size_t pos_ = 0;
    vigil_reader r_{};
};

// dtype of a C++ element type.
template <class T> constexpr vigil_dtype dtype_of() {
    return std::is_same<T, float>::value     ? VIGIL_DTYPE_FLOAT32
           : std::is_same<T, uint8_t>::value ? VIGIL_DTYPE_UINT8
           : std::is_same<T, int32_t>::value ? VIGIL_DTYPE_INT32
                                             : VIGIL_DTYPE_FLOAT64;
}

// A borrowed host-memory view of `data` with the given shape (sample axis first).
template <class T> vigil_tensor view(const T *data, const std::vector<int64_t> &shape) {
    vigil_tensor t{};
    t.data = const_cast<T *>(data);
    t.dtype = dtype_of<T>();
    t.device_type = VIGIL_DEVICE_CPU;
    t.device_index = 0;
    t.rank = static_cast<int32_t>(shape.size());
    std::copy(shape.begin(), shape.end(), t.shape);
    return t;
}

// A per-sample shape from its dimensions.
inline vigil_shape shape_of(const std::vector<int64_t> &dims) {
    vigil_shape s{};
    s.rank = static_cast<int32_t>(dims.size());
    std::copy(dims.begin(), dims.end(), s.dims);
    return s;
}

// ---- Extractor calls on std::vector data; `shape` is the batch shape,
// sample axis first. Each returns the plugin's status. ----

// output_shape() of the per-sample shape `dims`, into `out`.
inline vigil_status output_shape(const vigil_extractor_iface &ex, vigil_handle h, const std::vector<int64_t> &dims,
                                 vigil_shape &out) {
    const vigil_shape in = shape_of(dims);
    return ex.output_shape(h, &in, &out);
}

// The output per-sample dims for input per-sample dims `dims`, as a vector
// to compare whole (rank and every dim at once):
//     CHECK(output_dims(api, h.get(), {1, 28, 28}) == std::vector<int64_t>{784}); // raw
// Throws std::runtime_error unless output_shape() returns VIGIL_OK (a doctest
// assertion reports the throw as its failure).
inline std::vector<int64_t> output_dims(const vigil_extractor_iface &ex, vigil_handle h,
                                        const std::vector<int64_t> &dims) {
    vigil_shape out{};
    const vigil_status s = output_shape(ex, h, dims, out);
    if (s != VIGIL_OK) throw std::runtime_error("output_shape() failed with status " + std::to_string(s));
    return std::vector<int64_t>(out.dims, out.dims + out.rank);
}

// fit() on x, without labels.
template <class T>
vigil_status fit(const vigil_extractor_iface &ex, vigil_handle h, const std::vector<T> &x,
                 const std::vector<int64_t> &shape) {
    const vigil_tensor t = view(x.data(), shape);
    return ex.fit(h, &t, nullptr);
}

// transform() of x into `out`, as a host calls it: the output view has shape
// [samples] + output_shape(per-sample shape), and `out` is resized to it and
// filled with -1 first (so an element the plugin does not write shows). When
// output_shape() itself fails, its status is returned and transform() is not called.
template <class T>
vigil_status transform(const vigil_extractor_iface &ex, vigil_handle h, const std::vector<T> &x,
                       const std::vector<int64_t> &shape, std::vector<float> &out) {
    vigil_shape per{};
    const vigil_status s = output_shape(ex, h, std::vector<int64_t>(shape.begin() + 1, shape.end()), per);
    if (s != VIGIL_OK) return s;
    std::vector<int64_t> out_shape = {shape[0]};
    out_shape.insert(out_shape.end(), per.dims, per.dims + per.rank);
    int64_t n = 1;
    for (int64_t d : out_shape) n *= d;
    out.assign(static_cast<size_t>(n), -1.0f);
    const vigil_tensor in = view(x.data(), shape);
    vigil_tensor y = view(out.data(), out_shape);
    return ex.transform(h, &in, &y);
}

} // namespace vigil::test
