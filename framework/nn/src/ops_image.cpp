// ops_image.cpp — data-movement ops on the last two axes (H, W): reflect
// padding, horizontal flip, translation with reflect fill, rotation by
// multiples of 90°, nearest upsampling. Each is a PlaneMap (backend.hpp):
// an index map from output to input pixels, built once per geometry on the
// host and cached per device, so every backend runs the same two gather
// kernels, and the backward pass (a gather over the inverse map) is
// deterministic everywhere.
#include "autograd.hpp"
#include "backend.hpp"

#include <vigil/nn/ops.hpp>

#include <array>
#include <functional>
#include <map>
#include <mutex>

namespace vigil::nn {

using namespace detail;

namespace {

enum MapKind : int64_t { kPad = 1, kFlip, kTranslate, kRot, kUpsample };

using MapKey = std::array<int64_t, 8>;

// Builds the map (and its inverse in CSR form) for an out_h × out_w output
// whose pixel (oy, ox) reads input pixel src(oy, ox) (flat index, −1 = zero).
std::shared_ptr<const PlaneMap> build(Device d, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                                      const std::function<int64_t(int64_t, int64_t)> &src) {
    const int64_t in_plane = in_h * in_w, out_plane = out_h * out_w;
    if (in_plane > INT32_MAX || out_plane > INT32_MAX) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "image plane too large");
    std::vector<int32_t> map(static_cast<size_t>(out_plane));
    std::vector<int32_t> count(static_cast<size_t>(in_plane) + 1, 0);
    for (int64_t oy = 0; oy < out_h; ++oy)
        for (int64_t ox = 0; ox < out_w; ++ox) {
            const int64_t s = src(oy, ox);
            map[static_cast<size_t>(oy * out_w + ox)] = static_cast<int32_t>(s);
            if (s >= 0) ++count[static_cast<size_t>(s) + 1];
        }
    for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    std::vector<int32_t> idx(static_cast<size_t>(count.back())), fill(count.begin(), count.end() - 1);
    for (int64_t j = 0; j < out_plane; ++j) {
        const int32_t s = map[static_cast<size_t>(j)];
        if (s >= 0) idx[static_cast<size_t>(fill[static_cast<size_t>(s)]++)] = static_cast<int32_t>(j);
    }
    auto m = std::make_shared<PlaneMap>();
    m->in_plane = in_plane;
    m->out_plane = out_plane;
    m->map = Tensor::from_vector(map, {out_plane}, d);
    m->inv_off = Tensor::from_vector(count, {in_plane + 1}, d);
    m->inv_idx = Tensor::from_vector(idx.empty() ? std::vector<int32_t>{0} : idx, {std::max<int64_t>(1, count.back())}, d);
    return m;
}

std::shared_ptr<const PlaneMap> cached(const MapKey &key, Device d, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                                       const std::function<int64_t(int64_t, int64_t)> &src) {
    static std::mutex mu;
    static std::map<MapKey, std::shared_ptr<const PlaneMap>> cache;
    {
        std::lock_guard<std::mutex> lock(mu);
        auto it = cache.find(key);
        if (it != cache.end()) return it->second;
    }
    auto m = build(d, in_h, in_w, out_h, out_w, src);
    std::lock_guard<std::mutex> lock(mu);
    if (cache.size() >= 256) cache.clear();
    cache.emplace(key, m);
    return m;
}

Tensor plane_op(const char *op, const Tensor &x, int64_t out_h, int64_t out_w, const std::shared_ptr<const PlaneMap> &m) {
    const int r = x.rank();
    Shape ys = x.shape();
    ys[static_cast<size_t>(r - 2)] = out_h;
    ys[static_cast<size_t>(r - 1)] = out_w;
    const int64_t planes = x.numel() / std::max<int64_t>(1, m->in_plane);
    Tensor y = empty_like(x, ys);
    if (y.numel()) kernels(x.device()).gather_planes(x, y, planes, *m);
    if (needs_record({&x})) {
        const Shape xs = x.shape();
        record(y, op, {x}, [xs, planes, m](const Tensor &g, GradSink &s) {
            Tensor gx = empty_like(g, xs);
            if (gx.numel()) kernels(g.device()).gather_planes_backward(g, gx, planes, *m);
            s.set(0, gx);
        });
    }
    return y;
}

void check_image(const char *op, const Tensor &x) {
    check_float(op, x);
    if (x.rank() < 2) fail_arg(op, "needs at least [H, W], got " + x.describe());
}

// Reflection of an out-of-range index into [0, n).
int64_t fold_mirror(int64_t i, int64_t n) {  // d c b | a b c d | c b a
    if (n == 1) return 0;
    const int64_t p = 2 * (n - 1);
    i %= p;
    if (i < 0) i += p;
    return i < n ? i : p - i;
}
int64_t fold_symmetric(int64_t i, int64_t n) {  // d c b a | a b c d | d c b a
    const int64_t p = 2 * n;
    i %= p;
    if (i < 0) i += p;
    return i < n ? i : p - 1 - i;
}

} // namespace

Tensor reflect_pad2d(const Tensor &x, int64_t left, int64_t right, int64_t top, int64_t bottom) {
    const char *op = "reflect_pad2d";
    check_image(op, x);
    const int64_t h = x.size(-2), w = x.size(-1);
    if (left < 0 || right < 0 || top < 0 || bottom < 0 || left >= w || right >= w || top >= h || bottom >= h)
        fail_arg(op, "padding must be non-negative and smaller than the image (" + std::to_string(h) + "×" + std::to_string(w) + ")");
    const int64_t oh = h + top + bottom, ow = w + left + right;
    auto m = cached({kPad, h, w, left, right, top, bottom, int64_t(x.device())}, x.device(), h, w, oh, ow,
                    [&](int64_t oy, int64_t ox) { return fold_mirror(oy - top, h) * w + fold_mirror(ox - left, w); });
    return plane_op(op, x, oh, ow, m);
}

Tensor hflip(const Tensor &x) {
    check_image("hflip", x);
    const int64_t h = x.size(-2), w = x.size(-1);
    auto m = cached({kFlip, h, w, 0, 0, 0, 0, int64_t(x.device())}, x.device(), h, w, h, w,
                    [&](int64_t oy, int64_t ox) { return oy * w + (w - 1 - ox); });
    return plane_op("hflip", x, h, w, m);
}

Tensor translate(const Tensor &x, int64_t dx, int64_t dy, Fill fill) {
    check_image("translate", x);
    const int64_t h = x.size(-2), w = x.size(-1);
    const bool sym = fill == Fill::symmetric;
    auto m = cached({kTranslate, h, w, dx, dy, sym ? 1 : 0, 0, int64_t(x.device())}, x.device(), h, w, h, w,
                    [&](int64_t oy, int64_t ox) {
                        const int64_t iy = oy - dy, ix = ox - dx;
                        return sym ? fold_symmetric(iy, h) * w + fold_symmetric(ix, w)
                                   : fold_mirror(iy, h) * w + fold_mirror(ix, w);
                    });
    return plane_op("translate", x, h, w, m);
}

Tensor rot90(const Tensor &x, int k_in) {
    check_image("rot90", x);
    const int64_t h = x.size(-2), w = x.size(-1);
    const int k = ((k_in % 4) + 4) % 4;
    if (k == 0) return x.clone();
    const int64_t oh = k == 2 ? h : w, ow = k == 2 ? w : h;
    auto m = cached({kRot, h, w, k, 0, 0, 0, int64_t(x.device())}, x.device(), h, w, oh, ow, [&](int64_t i, int64_t j) {
        // numpy.rot90 on (H, W): k = 1: out[i][j] = in[j][W−1−i]; k = 2:
        // in[H−1−i][W−1−j]; k = 3: in[H−1−j][i].
        if (k == 1) return j * w + (w - 1 - i);
        if (k == 2) return (h - 1 - i) * w + (w - 1 - j);
        return (h - 1 - j) * w + i;
    });
    return plane_op("rot90", x, oh, ow, m);
}

Tensor upsample_nearest2d(const Tensor &x, int64_t s) {
    check_image("upsample_nearest2d", x);
    if (s < 1) fail_arg("upsample_nearest2d", "scale must be at least 1");
    const int64_t h = x.size(-2), w = x.size(-1);
    auto m = cached({kUpsample, h, w, s, 0, 0, 0, int64_t(x.device())}, x.device(), h, w, h * s, w * s,
                    [&](int64_t oy, int64_t ox) { return (oy / s) * w + ox / s; });
    return plane_op("upsample_nearest2d", x, h * s, w * s, m);
}

} // namespace vigil::nn
