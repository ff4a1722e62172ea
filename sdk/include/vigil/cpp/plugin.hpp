// vigil/cpp/plugin.hpp — header-only C++17 helpers for writing a Vigil plugin
// as one class plus one macro.
//
// Why this file exists: the C ABI (vigil_plugin.h) asks every plugin to
// translate its failures into status codes, copy messages to the host, and
// fill static function tables. That boilerplate is the same for every
// plugin, so it lives here once. A plugin author derives from
// vigil::sdk::Detector, Extractor or Evaluator, throws vigil::sdk::Error (or
// any std::exception) on failure, and writes
//
//     VIGIL_PLUGIN(MyDetector, "my_detector", "1.0.0", "one line", kSchemaJson)
//
// The trampolines below catch every exception at the boundary: nothing
// thrown inside the class ever crosses the C ABI.
//
// Dependencies: the C headers and nlohmann/json (parameters arrive as JSON).
#ifndef VIGIL_CPP_PLUGIN_HPP
#define VIGIL_CPP_PLUGIN_HPP

#include <vigil/vigil.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace vigil::sdk {

// An error with a status code; its what() becomes the host's error message.
class Error : public std::runtime_error {
public:
    Error(vigil_status code, const std::string &message) : std::runtime_error(message), code_(code) {}
    vigil_status code() const noexcept { return code_; }

private:
    vigil_status code_;
};

[[noreturn]] inline void fail(vigil_status code, const std::string &message) { throw Error(code, message); }
inline void require(bool ok, const std::string &message, vigil_status code = VIGIL_ERR_INVALID_ARGUMENT) {
    if (!ok) fail(code, message);
}

// Elements in one sample of per-sample shape `s`: the product of its dims (1
// for rank 0). The check every extractor's output_shape() makes of its input,
// with messages that name the plugin: throws Error(VIGIL_ERR_INVALID_ARGUMENT)
// "<who>: per-sample rank N out of range" unless 0 <= rank < VIGIL_MAX_RANK
// (the sample axis takes one of the VIGIL_MAX_RANK tensor dims), and
// "<who>: every per-sample dimension must be positive" for a dim <= 0.
inline int64_t shape_elements(const vigil_shape &s, const std::string &who) {
    if (!(s.rank >= 0 && s.rank < VIGIL_MAX_RANK))
        fail(VIGIL_ERR_INVALID_ARGUMENT, who + ": per-sample rank " + std::to_string(s.rank) + " out of range");
    int64_t n = 1;
    for (int i = 0; i < s.rank; ++i) {
        if (!(s.dims[i] > 0)) fail(VIGIL_ERR_INVALID_ARGUMENT, who + ": every per-sample dimension must be positive");
        n *= s.dims[i];
    }
    return n;
}

// The host services, as a small value type. Valid until the object is destroyed.
class Host {
public:
    explicit Host(const vigil_host *h = nullptr) : h_(h) {}
    void log(vigil_log_level level, const std::string &msg) const {
        if (h_ && h_->log) h_->log(h_->ctx, level, msg.c_str());
    }
    void info(const std::string &msg) const { log(VIGIL_LOG_INFO, msg); }
    void warn(const std::string &msg) const { log(VIGIL_LOG_WARN, msg); }
    void progress(uint64_t done, uint64_t total, const char *label) const {
        if (h_ && h_->progress) h_->progress(h_->ctx, done, total, label);
    }
    bool cancelled() const { return h_ && h_->cancelled && h_->cancelled(h_->ctx) != 0; }
    // Throws Error(VIGIL_ERR_CANCELLED) when the user asked to stop.
    void check_cancelled() const {
        if (cancelled()) fail(VIGIL_ERR_CANCELLED, "cancelled by the host");
    }
    uint64_t seed() const { return h_ ? h_->seed : 0; }
    unsigned threads() const { return (h_ && h_->threads > 0) ? h_->threads : 1u; }
    const vigil_host *raw() const { return h_; }

private:
    const vigil_host *h_;
};

// Read-only helpers over a borrowed vigil_tensor.
class TensorRef {
public:
    explicit TensorRef(const vigil_tensor *t, const char *what = "input") : t_(t), what_(what) {
        require(t_ != nullptr, std::string(what_) + ": tensor is NULL");
        require(t_->rank >= 1 && t_->rank <= VIGIL_MAX_RANK,
                std::string(what_) + ": rank " + std::to_string(t_->rank) + " outside 1.." +
                    std::to_string(VIGIL_MAX_RANK));
        for (int i = 0; i < t_->rank; ++i)
            require(t_->shape[i] >= 0, std::string(what_) + ": negative dimension");
        require(t_->device_type == VIGIL_DEVICE_CPU, std::string(what_) + ": only host memory is accepted");
        require(t_->data != nullptr || numel() == 0, std::string(what_) + ": data is NULL");
    }
    int64_t samples() const { return t_->shape[0]; }
    // Elements per sample (product of dims 1..rank-1).
    int64_t sample_size() const {
        int64_t s = 1;
        for (int i = 1; i < t_->rank; ++i) s *= t_->shape[i];
        return s;
    }
    int64_t numel() const { return t_->rank == 0 ? 0 : samples() * sample_size(); }
    vigil_dtype dtype() const { return t_->dtype; }
    vigil_shape sample_shape() const {
        vigil_shape s{};
        s.rank = t_->rank - 1;
        for (int i = 1; i < t_->rank; ++i) s.dims[i - 1] = t_->shape[i];
        return s;
    }
    template <class T> const T *data() const { return static_cast<const T *>(t_->data); }
    const float *f32() const {
        require(t_->dtype == VIGIL_DTYPE_FLOAT32, std::string(what_) + ": expected float32 data");
        return data<float>();
    }
    // Throws INVALID_ARGUMENT naming the first non-finite element.
    void require_finite() const {
        if (t_->dtype != VIGIL_DTYPE_FLOAT32) return;
        const float *p = data<float>();
        const int64_t n = numel();
        for (int64_t i = 0; i < n; ++i)
            if (!std::isfinite(p[i])) {
                const int64_t ss = sample_size() > 0 ? sample_size() : 1;
                fail(VIGIL_ERR_INVALID_ARGUMENT, std::string(what_) + ": non-finite value (NaN or Inf) in sample " +
                                                     std::to_string(i / ss) + ", element " +
                                                     std::to_string(i % ss));
            }
    }
    // For plugins that read uint8 or float32 input as real numbers: throws
    // INVALID_ARGUMENT "<who>: input must be uint8 or float32" for any other
    // dtype, then require_finite() (float32 only).
    void require_uint8_or_float32(const std::string &who) const {
        if (t_->dtype != VIGIL_DTYPE_UINT8 && t_->dtype != VIGIL_DTYPE_FLOAT32)
            fail(VIGIL_ERR_INVALID_ARGUMENT, who + ": input must be uint8 or float32");
        require_finite();
    }
    // Copies the `count` elements from flat index `first` on into out[0..count-1]
    // as double (exact for both dtypes). Typical use: one sample at a time,
    // to_double(i * d, d, row). The dtype is tested once per call, not per
    // element, so the copy loops stay tight. Throws INVALID_ARGUMENT unless the
    // data are uint8 or float32 (check with require_uint8_or_float32 first);
    // the range is not checked.
    void to_double(int64_t first, int64_t count, double *out) const {
        if (t_->dtype == VIGIL_DTYPE_UINT8) {
            const uint8_t *p = data<uint8_t>() + first;
            for (int64_t j = 0; j < count; ++j) out[j] = p[j];
        } else {
            if (t_->dtype != VIGIL_DTYPE_FLOAT32)
                fail(VIGIL_ERR_INVALID_ARGUMENT, std::string(what_) + ": expected uint8 or float32 data");
            const float *p = data<float>() + first;
            for (int64_t j = 0; j < count; ++j) out[j] = p[j];
        }
    }
    // Labels as a vector (throws unless int32 of shape [samples]).
    std::vector<int32_t> labels(int64_t expected) const {
        require(t_->dtype == VIGIL_DTYPE_INT32 && t_->rank == 1 && t_->shape[0] == expected,
                std::string(what_) + ": labels must be int32 of shape [" + std::to_string(expected) + "]");
        return std::vector<int32_t>(data<int32_t>(), data<int32_t>() + expected);
    }
    const vigil_tensor *raw() const { return t_; }

private:
    const vigil_tensor *t_;
    const char *what_;
};

// Typed writes to a vigil_writer (little-endian host layout; the state is read
// back on the same architecture).
class Writer {
public:
    explicit Writer(const vigil_writer *w) : w_(w) { require(w_ && w_->write, "writer is NULL", VIGIL_ERR_IO); }
    void bytes(const void *p, size_t n) {
        if (n && w_->write(w_->ctx, p, n) != VIGIL_OK) fail(VIGIL_ERR_IO, "failed to write plugin state");
    }
    template <class T> void pod(const T &v) {
        static_assert(std::is_trivially_copyable<T>::value, "pod() needs a trivially copyable type");
        bytes(&v, sizeof v);
    }
    template <class T> void vec(const std::vector<T> &v) {
        pod<uint64_t>(v.size());
        bytes(v.data(), v.size() * sizeof(T));
    }
    void str(const std::string &s) {
        pod<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }

private:
    const vigil_writer *w_;
};

class Reader {
public:
    explicit Reader(const vigil_reader *r) : r_(r) { require(r_ && r_->read, "reader is NULL", VIGIL_ERR_IO); }
    void bytes(void *p, size_t n) {
        if (n && r_->read(r_->ctx, p, n) != VIGIL_OK) fail(VIGIL_ERR_IO, "plugin state is truncated");
    }
    template <class T> T pod() {
        T v{};
        bytes(&v, sizeof v);
        return v;
    }
    uint64_t remaining() const { return r_->remaining ? r_->remaining(r_->ctx) : UINT64_MAX; }
    template <class T> std::vector<T> vec() {
        const uint64_t n = pod<uint64_t>();
        if (n > remaining() / sizeof(T)) fail(VIGIL_ERR_IO, "plugin state is truncated or malformed (array length)");
        std::vector<T> v(static_cast<size_t>(n));
        bytes(v.data(), v.size() * sizeof(T));
        return v;
    }
    std::string str() {
        const uint64_t n = pod<uint64_t>();
        if (n > remaining()) fail(VIGIL_ERR_IO, "plugin state is truncated or malformed (string length)");
        std::string s(static_cast<size_t>(n), '\0');
        bytes(&s[0], s.size());
        return s;
    }
    // Throws unless every byte of the state was consumed.
    void expect_end() const {
        if (r_->remaining && r_->remaining(r_->ctx) != 0) fail(VIGIL_ERR_IO, "plugin state has trailing bytes");
    }

private:
    const vigil_reader *r_;
};

// ---- Base classes: derive from exactly one. ----
// Each derived class needs a constructor  Class(const nlohmann::json &params, Host host).

class Detector {
public:
    virtual ~Detector() = default;
    virtual void fit(const TensorRef &x, const TensorRef *labels) = 0;
    virtual void score(const TensorRef &x, float *scores) = 0;
    virtual void save(Writer &w) = 0;
    virtual void load(Reader &r) = 0;
};

class Extractor {
public:
    virtual ~Extractor() = default;
    virtual vigil_shape output_shape(const vigil_shape &in) = 0;
    // Stateless extractors keep these defaults (fit does nothing, no state).
    virtual void fit(const TensorRef &, const TensorRef *) {}
    virtual void transform(const TensorRef &in, float *out) = 0;
    virtual void save(Writer &) {}
    virtual void load(Reader &) {}
};

class Evaluator {
public:
    virtual ~Evaluator() = default;
    // put(name, value) for each metric.
    virtual void evaluate(const float *scores, const int32_t *labels, size_t count,
                          const vigil_metric_sink &sink) = 0;
};

namespace detail {

template <class C> struct Object {
    Host host;
    std::unique_ptr<C> impl;
};

inline void report(const vigil_host *h, const char *msg) {
    if (h && h->error) h->error(h->ctx, msg);
}

// Runs f(); converts any exception into a status code plus host->error().
template <class F> vigil_status guarded(const vigil_host *h, F &&f) noexcept {
    try {
        f();
        return VIGIL_OK;
    } catch (const Error &e) {
        report(h, e.what());
        return e.code();
    } catch (const std::bad_alloc &) {
        report(h, "out of memory");
        return VIGIL_ERR_OUT_OF_MEMORY;
    } catch (const nlohmann::json::exception &e) {
        report(h, (std::string("invalid parameters: ") + e.what()).c_str());
        return VIGIL_ERR_INVALID_ARGUMENT;
    } catch (const std::exception &e) {
        report(h, e.what());
        return VIGIL_ERR_INTERNAL;
    } catch (...) {
        report(h, "unknown exception");
        return VIGIL_ERR_INTERNAL;
    }
}

template <class C> Object<C> *obj(vigil_handle h) { return reinterpret_cast<Object<C> *>(h); }

template <class C> vigil_status create(const char *params, const vigil_host *host, vigil_handle *out) noexcept {
    if (!out) {
        report(host, "create: out is NULL");
        return VIGIL_ERR_INVALID_ARGUMENT;
    }
    *out = nullptr;
    return guarded(host, [&] {
        const nlohmann::json p = nlohmann::json::parse(params && *params ? params : "{}");
        auto o = std::make_unique<Object<C>>();
        o->host = Host(host);
        o->impl = std::make_unique<C>(p, o->host);
        *out = reinterpret_cast<vigil_handle>(o.release());
    });
}

template <class C> void destroy(vigil_handle h) noexcept {
    try {
        delete obj<C>(h);
    } catch (...) {
        // A destructor that throws is a plugin bug; swallow it at the boundary.
    }
}

#define VIGIL_SDK_GUARD(C, h, body)                                                           \
    do {                                                                                      \
        if (!(h)) return VIGIL_ERR_INVALID_ARGUMENT;                                          \
        auto *o_ = ::vigil::sdk::detail::obj<C>(h);                                           \
        return ::vigil::sdk::detail::guarded(o_->host.raw(), [&] { auto &self = *o_->impl; body; }); \
    } while (0)

template <class C> vigil_status det_fit(vigil_handle h, const vigil_tensor *x, const vigil_tensor *y) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        TensorRef xr(x, "training data");
        if (y) {
            TensorRef yr(y, "training labels");
            self.fit(xr, &yr);
        } else {
            self.fit(xr, nullptr);
        }
    });
}
template <class C> vigil_status det_score(vigil_handle h, const vigil_tensor *x, float *s) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        TensorRef xr(x, "scoring data");
        require(s != nullptr || xr.samples() == 0, "scores buffer is NULL");
        self.score(xr, s);
    });
}
template <class C> vigil_status save(vigil_handle h, const vigil_writer *w) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        Writer wr(w);
        self.save(wr);
    });
}
template <class C> vigil_status load(vigil_handle h, const vigil_reader *r) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        Reader rd(r);
        self.load(rd);
    });
}
template <class C> vigil_status ext_shape(vigil_handle h, const vigil_shape *in, vigil_shape *out) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        require(in && out, "output_shape: NULL shape");
        *out = self.output_shape(*in);
    });
}
template <class C> vigil_status ext_fit(vigil_handle h, const vigil_tensor *x, const vigil_tensor *y) noexcept {
    return det_fit<C>(h, x, y);
}
template <class C> vigil_status ext_transform(vigil_handle h, const vigil_tensor *in, vigil_tensor *out) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        TensorRef ir(in, "extractor input");
        require(out && out->dtype == VIGIL_DTYPE_FLOAT32 && out->rank >= 1 && out->shape[0] == ir.samples(),
                "extractor output view must be float32 with as many samples as the input");
        const vigil_shape want = self.output_shape(ir.sample_shape());
        int64_t per = 1;
        for (int i = 0; i < want.rank; ++i) per *= want.dims[i];
        int64_t have = 1;
        for (int i = 1; i < out->rank; ++i) have *= out->shape[i];
        require(per == have, "extractor output view has the wrong per-sample size");
        self.transform(ir, static_cast<float *>(out->data));
    });
}
template <class C>
vigil_status evaluate(vigil_handle h, const float *s, const int32_t *l, size_t n, const vigil_metric_sink *sink) noexcept {
    VIGIL_SDK_GUARD(C, h, {
        require(sink && sink->put, "metric sink is NULL");
        require(n == 0 || (s && l), "scores or labels are NULL");
        self.evaluate(s, l, n, *sink);
    });
}

inline int32_t always_runs(char *reason, size_t n) noexcept {
    if (reason && n) reason[0] = '\0';
    return 100;
}

template <class C> const void *iface() {
    if constexpr (std::is_base_of<Detector, C>::value) {
        static const vigil_detector_iface t = {sizeof(vigil_detector_iface), &create<C>, &destroy<C>, &det_fit<C>,
                                               &det_score<C>, &save<C>, &load<C>};
        return &t;
    } else if constexpr (std::is_base_of<Extractor, C>::value) {
        // Every C++ extractor fills fit/save/load: for stateless classes the
        // base-class defaults are no-ops that write and read nothing.
        static const vigil_extractor_iface t = {sizeof(vigil_extractor_iface), &create<C>, &destroy<C>,
                                                &ext_shape<C>, &ext_fit<C>, &ext_transform<C>,
                                                &save<C>, &load<C>};
        return &t;
    } else {
        static_assert(std::is_base_of<Evaluator, C>::value, "derive from Detector, Extractor or Evaluator");
        static const vigil_evaluator_iface t = {sizeof(vigil_evaluator_iface), &create<C>, &destroy<C>,
                                                &evaluate<C>};
        return &t;
    }
}

template <class C> constexpr vigil_kind kind_of() {
    return std::is_base_of<Detector, C>::value    ? VIGIL_KIND_DETECTOR
           : std::is_base_of<Extractor, C>::value ? VIGIL_KIND_EXTRACTOR
                                                  : VIGIL_KIND_EVALUATOR;
}

} // namespace detail
} // namespace vigil::sdk

// Declare the plugin: exports vigil_plugin_entry for Class. Use once per library.
// VIGIL_PLUGIN_EX also names the backend and the probe function (for cuda
// variants, whose probe checks for a device); VIGIL_PLUGIN is a cpu plugin
// that can always run.
#define VIGIL_PLUGIN_EX(Class, NAME, VERSION, DESCRIPTION, SCHEMA, BACKEND, PROBE)                       \
    extern "C" VIGIL_PLUGIN_EXPORT const vigil_plugin_desc *vigil_plugin_entry(uint32_t host_abi) {      \
        (void)host_abi;                                                                                \
        static const vigil_plugin_desc d = {sizeof(vigil_plugin_desc),                                 \
                                            VIGIL_ABI_VERSION,                                         \
                                            NAME,                                                      \
                                            VERSION,                                                   \
                                            ::vigil::sdk::detail::kind_of<Class>(),                    \
                                            BACKEND,                                                   \
                                            DESCRIPTION,                                               \
                                            SCHEMA,                                                    \
                                            PROBE,                                                     \
                                            ::vigil::sdk::detail::iface<Class>()};                     \
        return &d;                                                                                     \
    }

#define VIGIL_PLUGIN(Class, NAME, VERSION, DESCRIPTION, SCHEMA) \
    VIGIL_PLUGIN_EX(Class, NAME, VERSION, DESCRIPTION, SCHEMA, VIGIL_BACKEND_CPU, &::vigil::sdk::detail::always_runs)

#endif // VIGIL_CPP_PLUGIN_HPP
