// bench_thumbs.cpp — PNG encoding (stb_image_write, Debian's libstb-dev) and
// base64 for report thumbnails.
//
// Decisions: stb's functions are compiled static into this file only, so they
// cannot clash with the framework's stb_image; images are encoded at their own
// size and enlarged by the page's CSS (pixelated), keeping the file small.
#include "bench_thumbs.hpp"

// Third-party header: its own warnings are not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <vector>

namespace vigil::bench {

namespace {

void append(void *ctx, void *data, int size) { static_cast<std::string *>(ctx)->append(static_cast<const char *>(data), size); }

std::string base64(const std::string &in) {
    static const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8 | (uint8_t)in[i + 2];
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = (uint8_t)in[i] << 16;
        out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8;
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
}

} // namespace

std::string thumbnail_uri(const Tensor &x, int64_t i) {
    int64_t c = 1, h = 0, w = 0;
    if (x.rank() == 4) c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    else if (x.rank() == 3) h = x.shape()[1], w = x.shape()[2];
    else return "";
    if ((c != 1 && c != 3) || h < 1 || w < 1 || h > 4096 || w > 4096 || i < 0 || i >= x.samples()) return "";
    const int64_t n = c * h * w;
    std::vector<float> v(n);
    if (x.dtype() == VIGIL_DTYPE_UINT8) {
        const uint8_t *p = x.data<uint8_t>() + i * n;
        for (int64_t k = 0; k < n; ++k) v[k] = p[k];
    } else if (x.dtype() == VIGIL_DTYPE_FLOAT32) {
        const float *p = x.data<float>() + i * n;
        const auto [lo, hi] = std::minmax_element(p, p + n);
        const float span = *hi > *lo ? *hi - *lo : 1.0f;
        for (int64_t k = 0; k < n; ++k) v[k] = (p[k] - *lo) / span * 255.0f;
    } else {
        return "";
    }
    // Planar C x H x W → interleaved H x W x C.
    std::vector<uint8_t> px(n);
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t k = 0; k < h * w; ++k) px[k * c + ch] = static_cast<uint8_t>(std::clamp(v[ch * h * w + k], 0.0f, 255.0f) + 0.5f);
    std::string png;
    if (!stbi_write_png_to_func(append, &png, static_cast<int>(w), static_cast<int>(h), static_cast<int>(c), px.data(),
                                static_cast<int>(w * c)))
        return "";
    return "data:image/png;base64," + base64(png);
}

} // namespace vigil::bench
