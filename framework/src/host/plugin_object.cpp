// plugin_object.cpp — checked calls into plugin handles (see plugin_object.hpp).
#include <vigil/framework/error.hpp>
#include <vigil/framework/plugin_object.hpp>
#include <vigil/framework/progress.hpp>

#include <cmath>
#include <cstring>

namespace vigil {

namespace {

template <class Iface> const Iface *table(const PluginLibrary &lib) { return static_cast<const Iface *>(lib.desc->iface); }

vigil_tensor labels_view(const std::vector<int32_t> &labels) {
    vigil_tensor v{};
    v.data = const_cast<int32_t *>(labels.data());
    v.dtype = VIGIL_DTYPE_INT32;
    v.device_type = VIGIL_DEVICE_CPU;
    v.rank = 1;
    v.shape[0] = static_cast<int64_t>(labels.size());
    return v;
}

// Byte sink / source over a std::vector for save/load.
struct Sink {
    std::vector<uint8_t> bytes;
    static vigil_status write(void *ctx, const void *p, size_t n) {
        auto *s = static_cast<Sink *>(ctx);
        const auto *b = static_cast<const uint8_t *>(p);
        s->bytes.insert(s->bytes.end(), b, b + n);
        return VIGIL_OK;
    }
};
struct Source {
    const std::vector<uint8_t> *bytes;
    size_t pos = 0;
    static vigil_status read(void *ctx, void *p, size_t n) {
        auto *s = static_cast<Source *>(ctx);
        if (n > s->bytes->size() - s->pos) return VIGIL_ERR_IO;
        std::memcpy(p, s->bytes->data() + s->pos, n);
        s->pos += n;
        return VIGIL_OK;
    }
    static uint64_t remaining(void *ctx) {
        auto *s = static_cast<Source *>(ctx);
        return s->bytes->size() - s->pos;
    }
};

// Runs a plugin's save with a writer into memory; returns the bytes.
template <class F> std::vector<uint8_t> save_state(F &&save) {
    Sink sink;
    const vigil_writer w{sizeof(vigil_writer), &sink, &Sink::write};
    save(&w);
    return std::move(sink.bytes);
}

// Runs a plugin's load with a reader over `state`.
template <class F> void load_state(const std::vector<uint8_t> &state, F &&load) {
    Source src{&state};
    const vigil_reader r{sizeof(vigil_reader), &src, &Source::read, &Source::remaining};
    load(&r);
}

} // namespace

PluginObject::PluginObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings)
    : lib_(lib), params_(params),
      host_(std::make_unique<HostServices>(lib.label(), settings.seed, settings.threads)) {}

PluginObject::~PluginObject() {
    if (handle_ && destroy_) {
        try {
            destroy_(handle_);
        } catch (...) {
        }
    }
}

void PluginObject::check(vigil_status s, const char *op) {
    if (s == VIGIL_OK) return;
    progress::finish();
    std::string msg = host_->take_error();
    if (msg.empty())
        msg = (s == VIGIL_ERR_INTERNAL) ? "the plugin failed without a message (or threw across the C ABI)"
                                        : "the plugin failed without a message";
    throw Error(s == VIGIL_ERR_CANCELLED ? ErrorKind::Internal : ErrorKind::Plugin,
                lib_.label() + " " + op + ": " + msg + " [" + status_name(s) + "]");
}

void PluginObject::fail_threw(const char *op) {
    progress::finish();
    host_->take_error();
    throw Error(ErrorKind::Plugin, lib_.label() + " " + op +
                                       ": the plugin let a C++ exception escape across the C ABI (a plugin bug)");
}

#define VIGIL_CREATE(T)                                                                       \
    do {                                                                                      \
        const std::string text = params_.dump();                                              \
        destroy_ = t_->destroy;                                                               \
        call("create", [&] { return t_->create(text.c_str(), host_->raw(), &handle_); });     \
        if (!handle_) check(VIGIL_ERR_INTERNAL, "create (returned no handle)");                \
    } while (0)

// ---------------- detector ----------------
DetectorObject::DetectorObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings)
    : PluginObject(lib, params, settings), t_(table<vigil_detector_iface>(lib)) {
    VIGIL_CREATE(vigil_detector_iface);
}

void DetectorObject::fit(const Tensor &x, const std::vector<int32_t> *labels) {
    const Tensor xf = x.to_float32();
    const vigil_tensor v = xf.view();
    vigil_tensor lv{};
    if (labels) lv = labels_view(*labels);
    call("fit", [&] { return t_->fit(handle_, &v, labels ? &lv : nullptr); });
}

std::vector<float> DetectorObject::score(const Tensor &x) {
    std::vector<float> out(static_cast<size_t>(x.samples()));
    for (int64_t b = 0; b < x.samples(); b += kBatchSamples) {
        const int64_t e = std::min(x.samples(), b + kBatchSamples);
        const Tensor batch = x.slice(b, e).to_float32();
        const vigil_tensor v = batch.view();
        call("score", [&] { return t_->score(handle_, &v, out.data() + b); });
        progress::update(lib_.label() + " score", static_cast<uint64_t>(e), static_cast<uint64_t>(x.samples()));
    }
    for (size_t i = 0; i < out.size(); ++i)
        if (!std::isfinite(out[i]))
            throw Error(ErrorKind::Plugin, lib_.label() + " score: the plugin returned a non-finite score (" +
                                               std::to_string(out[i]) + ") for sample " + std::to_string(i));
    return out;
}

std::vector<uint8_t> DetectorObject::save() {
    return save_state([&](const vigil_writer *w) { call("save", [&] { return t_->save(handle_, w); }); });
}

void DetectorObject::load(const std::vector<uint8_t> &state) {
    load_state(state, [&](const vigil_reader *r) { call("load", [&] { return t_->load(handle_, r); }); });
}

// ---------------- extractor ----------------
ExtractorObject::ExtractorObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings)
    : PluginObject(lib, params, settings), t_(table<vigil_extractor_iface>(lib)) {
    VIGIL_CREATE(vigil_extractor_iface);
}

std::vector<int64_t> ExtractorObject::output_shape(const std::vector<int64_t> &sample_shape) {
    if (sample_shape.size() >= VIGIL_MAX_RANK) throw_input("input rank too large for " + lib_.label());
    vigil_shape in{}, out{};
    in.rank = static_cast<int32_t>(sample_shape.size());
    for (size_t i = 0; i < sample_shape.size(); ++i) in.dims[i] = sample_shape[i];
    call("output_shape", [&] { return t_->output_shape(handle_, &in, &out); });
    if (out.rank < 0 || out.rank >= VIGIL_MAX_RANK) check(VIGIL_ERR_INTERNAL, "output_shape (invalid rank)");
    std::vector<int64_t> dims(out.dims, out.dims + out.rank);
    for (auto d : dims)
        if (d <= 0) check(VIGIL_ERR_INTERNAL, "output_shape (non-positive dimension)");
    return dims;
}

void ExtractorObject::fit(const Tensor &x, const std::vector<int32_t> *labels) {
    if (!t_->fit) return;
    const vigil_tensor v = x.view();
    vigil_tensor lv{};
    if (labels) lv = labels_view(*labels);
    call("fit", [&] { return t_->fit(handle_, &v, labels ? &lv : nullptr); });
}

Tensor ExtractorObject::transform(const Tensor &x) {
    std::vector<int64_t> shape = output_shape(x.sample_shape());
    shape.insert(shape.begin(), x.samples());
    Tensor out(VIGIL_DTYPE_FLOAT32, shape);
    const int64_t per = out.sample_size();
    for (int64_t b = 0; b < x.samples(); b += kBatchSamples) {
        const int64_t e = std::min(x.samples(), b + kBatchSamples);
        const Tensor in = x.slice(b, e);
        const vigil_tensor iv = in.view();
        vigil_tensor ov = out.view();
        ov.data = out.data<float>() + b * per;
        ov.shape[0] = e - b;
        call("transform", [&] { return t_->transform(handle_, &iv, &ov); });
        progress::update(lib_.label() + " transform", static_cast<uint64_t>(e), static_cast<uint64_t>(x.samples()));
    }
    const float *p = out.data<float>();
    for (int64_t i = 0; i < out.numel(); ++i)
        if (!std::isfinite(p[i]))
            throw Error(ErrorKind::Plugin, lib_.label() + " transform: the plugin produced a non-finite feature for sample " +
                                               std::to_string(i / (per ? per : 1)));
    return out;
}

std::vector<uint8_t> ExtractorObject::save() {
    if (!t_->save) return {};
    return save_state([&](const vigil_writer *w) { call("save", [&] { return t_->save(handle_, w); }); });
}

void ExtractorObject::load(const std::vector<uint8_t> &state) {
    if (!t_->load) {
        if (!state.empty()) throw_input(lib_.label() + " load: the model holds state for a stateless extractor");
        return;
    }
    load_state(state, [&](const vigil_reader *r) { call("load", [&] { return t_->load(handle_, r); }); });
}

// ---------------- evaluator ----------------
EvaluatorObject::EvaluatorObject(const PluginLibrary &lib, const nlohmann::json &params, const RunSettings &settings)
    : PluginObject(lib, params, settings), t_(table<vigil_evaluator_iface>(lib)) {
    VIGIL_CREATE(vigil_evaluator_iface);
}

std::vector<std::pair<std::string, double>> EvaluatorObject::evaluate(const std::vector<float> &scores,
                                                                      const std::vector<int32_t> &labels) {
    if (scores.size() != labels.size())
        throw_input("evaluate: " + std::to_string(scores.size()) + " scores but " + std::to_string(labels.size()) +
                    " labels");
    std::vector<std::pair<std::string, double>> metrics;
    struct Ctx {
        std::vector<std::pair<std::string, double>> *m;
        static void put(void *c, const char *name, double v) {
            static_cast<Ctx *>(c)->m->emplace_back(name ? name : "?", v);
        }
    } ctx{&metrics};
    const vigil_metric_sink sink{sizeof(vigil_metric_sink), &ctx, &Ctx::put};
    call("evaluate", [&] { return t_->evaluate(handle_, scores.data(), labels.data(), scores.size(), &sink); });
    return metrics;
}

} // namespace vigil
