// bn_bench.cpp — why the engine's float32 batch norm is its own loops
// (framework/nn/src/cpu/batchnorm_f32.cpp) and not oneDNN's: times one
// training forward + backward (batch statistics, affine) of both on the
// activation shapes of this project's networks, plain NCHW as the engine
// keeps activations.
//
//   vigil_nn_bn_bench [threads]      (cmake --build <dir> --target vigil_nn_bn_bench)
//
// Prints, per shape, the best of 10 repetitions (after one warm-up) in ms
// for oneDNN 2.6's batch_normalization primitives and for the engine's
// loops, and their ratio.
#include "../../framework/nn/src/cpu/batchnorm_f32.hpp"

#include <vigil/nn/nn.hpp>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using dnnl::memory;

struct Shape {
    int64_t n, c, h, w;
    const char *what;
};

template <class F> double best_ms(F &&f) {
    f();
    double best = 1e30;
    for (int r = 0; r < 10; ++r) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return best;
}

} // namespace

int main(int argc, char **argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    vigil::nn::set_num_threads(threads);  // the loops' budget; oneDNN runs on the same OpenMP runtime
    const double eps = 1e-5;
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream st(eng);
    std::printf("%-34s %12s %12s %8s   (%d thread%s, fwd train + bwd, best of 10)\n", "shape", "oneDNN ms", "vigil ms",
                "ratio", threads, threads == 1 ? "" : "s");
    for (const Shape &s : {Shape{128, 64, 32, 32, "WRN-10-4 block, 32x32"}, Shape{128, 128, 16, 16, "WRN-10-4 block, 16x16"},
                           Shape{200, 8, 28, 28, "Deep SVDD LeNet bn1"}, Shape{200, 4, 14, 14, "Deep SVDD LeNet bn2"}}) {
        const int64_t sp = s.h * s.w, total = s.n * s.c * sp;
        std::vector<float> x(static_cast<size_t>(total)), gy(x.size()), y(x.size()), gx(x.size());
        std::vector<float> gamma(static_cast<size_t>(s.c), 1.5f), beta(static_cast<size_t>(s.c), 0.25f);
        std::vector<float> mean(gamma.size()), var(gamma.size()), gg(gamma.size()), gb(gamma.size());
        std::mt19937 rng(1);
        std::normal_distribution<float> nd(0.5f, 2.0f);
        for (size_t i = 0; i < x.size(); ++i) {
            x[i] = nd(rng);
            gy[i] = nd(rng);
        }

        const memory::desc data({s.n, s.c, s.h, s.w}, memory::data_type::f32, memory::format_tag::nchw);
        const auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
        const dnnl::batch_normalization_forward::primitive_desc fpd(
            dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, data, static_cast<float>(eps), flags),
            eng);
        const dnnl::batch_normalization_backward::primitive_desc bpd(
            dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, data, data, static_cast<float>(eps), flags),
            eng, fpd);
        dnnl::batch_normalization_forward fwd(fpd);
        dnnl::batch_normalization_backward bwd(bpd);
        const memory::desc param({s.c}, memory::data_type::f32, memory::format_tag::x);
        memory xm(data, eng, x.data()), ym(data, eng, y.data()), gym(data, eng, gy.data()), gxm(data, eng, gx.data());
        memory gm(param, eng, gamma.data()), bm(param, eng, beta.data()), mm(param, eng, mean.data()),
            vm(param, eng, var.data()), ggm(param, eng, gg.data()), gbm(param, eng, gb.data());
        const double t_dnnl = best_ms([&] {
            fwd.execute(st, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DST, ym}, {DNNL_ARG_SCALE, gm}, {DNNL_ARG_SHIFT, bm},
                             {DNNL_ARG_MEAN, mm}, {DNNL_ARG_VARIANCE, vm}});
            bwd.execute(st, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, gym}, {DNNL_ARG_SCALE, gm}, {DNNL_ARG_SHIFT, bm}, {DNNL_ARG_MEAN, mm},
                             {DNNL_ARG_VARIANCE, vm}, {DNNL_ARG_DIFF_SRC, gxm}, {DNNL_ARG_DIFF_SCALE, ggm},
                             {DNNL_ARG_DIFF_SHIFT, gbm}});
            st.wait();
        });
        const double t_loops = best_ms([&] {
            vigil::nn::detail::fast::bn_forward_train(x.data(), gamma.data(), beta.data(), y.data(), mean.data(), var.data(),
                                                      s.n, s.c, sp, eps);
            vigil::nn::detail::fast::bn_backward(x.data(), gy.data(), gamma.data(), mean.data(), var.data(), gx.data(),
                                                 gg.data(), gb.data(), s.n, s.c, sp, eps, false);
        });
        char label[96];
        std::snprintf(label, sizeof label, "%lldx%lldx%lldx%lld %s", (long long)s.n, (long long)s.c, (long long)s.h,
                      (long long)s.w, s.what);
        std::printf("%-34s %12.2f %12.2f %8.2f\n", label, t_dnnl, t_loops, t_loops / t_dnnl);
    }
    return 0;
}
