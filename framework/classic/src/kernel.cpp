// kernel.cpp — kernel formulas, the "scale" gamma and centring (kernel.hpp).
#include <vigil/classic/kernel.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace vigil::classic {

using sdk::fail;

KernelType parse_kernel(const std::string &name) {
    if (name == "linear") return KernelType::Linear;
    if (name == "rbf") return KernelType::Rbf;
    if (name == "poly") return KernelType::Poly;
    if (name == "sigmoid") return KernelType::Sigmoid;
    fail(VIGIL_ERR_INVALID_ARGUMENT,
         "kernel must be one of \"linear\", \"rbf\", \"poly\", \"sigmoid\", got \"" + name + "\"");
}

const char *kernel_name(KernelType t) {
    switch (t) {
    case KernelType::Linear: return "linear";
    case KernelType::Rbf: return "rbf";
    case KernelType::Poly: return "poly";
    case KernelType::Sigmoid: return "sigmoid";
    }
    return "unknown";
}

double gamma_scale(const float *x, int64_t n, int64_t d, bool *zero_variance) {
    const double count = static_cast<double>(n) * static_cast<double>(d);
    double sum = 0;
    for (int64_t i = 0; i < n * d; ++i) sum += x[i];
    const double mean = sum / count;
    double ss = 0;
    for (int64_t i = 0; i < n * d; ++i) {
        const double t = double(x[i]) - mean;
        ss += t * t;
    }
    const double var = ss / count;
    if (zero_variance) *zero_variance = !(var > 0);
    return var > 0 ? 1.0 / (static_cast<double>(d) * var) : 1.0;
}

std::vector<float> kernel_centre(const KernelSpec &k, const float *x, int64_t n, int64_t d) {
    if (!kernel_centres(k.type)) return {};
    std::vector<double> mean(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) mean[static_cast<size_t>(j)] += x[i * d + j];
    std::vector<float> c(static_cast<size_t>(d));
    for (int64_t j = 0; j < d; ++j) c[static_cast<size_t>(j)] = static_cast<float>(mean[static_cast<size_t>(j)] / double(n));
    return c;
}

void centre_rows(const float *x, int64_t rows, int64_t d, const std::vector<float> &centre, float *out) {
    if (centre.empty()) {
        std::copy(x, x + rows * d, out);
        return;
    }
    const float *c = centre.data();
    for (int64_t i = 0; i < rows; ++i) {
        const float *src = x + i * d;
        float *dst = out + i * d;
        for (int64_t j = 0; j < d; ++j) dst[j] = src[j] - c[j];
    }
}

void squared_norms(const float *x, int64_t rows, int64_t d, double *out) {
    for (int64_t i = 0; i < rows; ++i) {
        const float *p = x + i * d;
        double s = 0;
        for (int64_t j = 0; j < d; ++j) s += double(p[j]) * double(p[j]);
        out[i] = s;
    }
}

namespace {

// (base)^degree by repeated squaring, as libsvm's powi (exact for small degrees).
inline double int_pow(double base, int32_t degree) {
    double r = 1.0, b = base;
    for (int32_t e = degree; e > 0; e >>= 1) {
        if (e & 1) r *= b;
        b *= b;
    }
    return r;
}

// The kernel loop with the kernel switch hoisted out of it. Every value is
// checked for finiteness (a float GEMM can overflow on huge features, poly can
// overflow in double or when rounded to float).
template <class Out>
bool from_dots(const KernelSpec &k, const float *dots, int64_t count, double xn, const double *yn, Out *out) {
    const double g = k.gamma, c0 = k.coef0;
    switch (k.type) {
    case KernelType::Linear:
        for (int64_t j = 0; j < count; ++j) out[j] = static_cast<Out>(dots[j]);
        break;
    case KernelType::Rbf:
        for (int64_t j = 0; j < count; ++j) {
            const double d2 = xn + yn[j] - 2.0 * double(dots[j]);
            out[j] = static_cast<Out>(std::exp(-g * (d2 > 0 ? d2 : 0.0)));
        }
        break;
    case KernelType::Poly:
        for (int64_t j = 0; j < count; ++j) out[j] = static_cast<Out>(int_pow(g * double(dots[j]) + c0, k.degree));
        break;
    case KernelType::Sigmoid:
        for (int64_t j = 0; j < count; ++j) out[j] = static_cast<Out>(std::tanh(g * double(dots[j]) + c0));
        break;
    }
    bool finite = true;
    for (int64_t j = 0; j < count; ++j) finite &= std::isfinite(out[j]);
    return finite;
}

} // namespace

double kernel_self(const KernelSpec &k, double sq) {
    switch (k.type) {
    case KernelType::Linear: return sq;
    case KernelType::Rbf: return 1.0;
    case KernelType::Poly: return int_pow(k.gamma * sq + k.coef0, k.degree);
    case KernelType::Sigmoid: return std::tanh(k.gamma * sq + k.coef0);
    }
    return 0.0;
}

bool kernel_from_dots(const KernelSpec &k, const float *dots, int64_t count, double xn, const double *yn, float *out) {
    return from_dots(k, dots, count, xn, yn, out);
}
bool kernel_from_dots(const KernelSpec &k, const float *dots, int64_t count, double xn, const double *yn, double *out) {
    return from_dots(k, dots, count, xn, yn, out);
}

std::string kernel_overflow_message(const KernelSpec &k) {
    std::ostringstream m;
    m << "a " << kernel_name(k.type) << " kernel value overflows (gamma " << k.gamma << ", coef0 " << k.coef0
      << ", degree " << k.degree << "): scale the features down or lower gamma/degree";
    return m.str();
}

} // namespace vigil::classic
