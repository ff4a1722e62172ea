// models.cpp — Deep SVDD's LeNet-type networks (models.hpp).
#include "autograd.hpp"

#include <vigil/nn/models.hpp>

#include <cmath>

namespace vigil::nn {

namespace {
constexpr double kBnEps = 1e-4;
constexpr double kSlope = 0.01;  // F.leaky_relu's default
std::shared_ptr<BatchNorm> bn(int64_t c) { return std::make_shared<BatchNorm>(c, kBnEps, 0.1, false); }
Tensor block(const Tensor &x, BatchNorm &b) { return max_pool2d(leaky_relu(b(x), kSlope), Pool2dOptions::make(2)); }
Tensor up(const Tensor &x) { return upsample_nearest2d(x, 2); }
} // namespace

LeNetMnist::LeNetMnist(bool autoencoder, Generator &gen) : autoencoder_(autoencoder) {
    conv1_ = register_module("conv1", std::make_shared<Conv2d>(1, 8, 5, 1, 2, false, gen));
    bn1_ = register_module("bn1", bn(8));
    conv2_ = register_module("conv2", std::make_shared<Conv2d>(8, 4, 5, 1, 2, false, gen));
    bn2_ = register_module("bn2", bn(4));
    fc1_ = register_module("fc1", std::make_shared<Linear>(4 * 7 * 7, rep_dim, false, gen));
    if (!autoencoder) return;
    deconv1_ = register_module("deconv1", std::make_shared<ConvTranspose2d>(2, 4, 5, 1, 2, 0, false, gen));
    bn3_ = register_module("bn3", bn(4));
    deconv2_ = register_module("deconv2", std::make_shared<ConvTranspose2d>(4, 8, 5, 1, 3, 0, false, gen));
    bn4_ = register_module("bn4", bn(8));
    deconv3_ = register_module("deconv3", std::make_shared<ConvTranspose2d>(8, 1, 5, 1, 2, 0, false, gen));
}

Tensor LeNetMnist::encode(const Tensor &x) {
    Tensor h = block((*conv1_)(x), *bn1_);
    h = block((*conv2_)(h), *bn2_);
    return (*fc1_)(h.flatten(1));
}

Tensor LeNetMnist::decode(const Tensor &z) {
    if (!autoencoder_) sdk::fail(VIGIL_ERR_STATE, "LeNetMnist was built without a decoder");
    Tensor h = up(leaky_relu(z.reshape({z.size(0), rep_dim / 16, 4, 4}), kSlope));   // 2×8×8
    h = up(leaky_relu((*bn3_)((*deconv1_)(h)), kSlope));                            // 4×16×16
    h = up(leaky_relu((*bn4_)((*deconv2_)(h)), kSlope));                            // 8×28×28
    return sigmoid((*deconv3_)(h));                                                 // 1×28×28
}

Tensor LeNetMnist::forward(const Tensor &x) { return autoencoder_ ? decode(encode(x)) : encode(x); }

LeNetCifar::LeNetCifar(bool autoencoder, Generator &gen) : autoencoder_(autoencoder) {
    // The reference autoencoder re-initialises its convolutions with
    // xavier_uniform(gain = calculate_gain('leaky_relu')) right after building
    // each one; drawing in the same order keeps one stream of draws.
    const double gain = std::sqrt(2.0 / (1.0 + kSlope * kSlope));
    auto conv = [&](int64_t in, int64_t out) {
        auto c = std::make_shared<Conv2d>(in, out, 5, 1, 2, false, gen);
        if (autoencoder) xavier_uniform_(c->weight, gain, gen);
        return c;
    };
    auto deconv = [&](int64_t in, int64_t out) {
        auto c = std::make_shared<ConvTranspose2d>(in, out, 5, 1, 2, 0, false, gen);
        xavier_uniform_(c->weight, gain, gen);
        return c;
    };
    conv1_ = register_module("conv1", conv(3, 32));
    bn2d1_ = register_module("bn2d1", bn(32));
    conv2_ = register_module("conv2", conv(32, 64));
    bn2d2_ = register_module("bn2d2", bn(64));
    conv3_ = register_module("conv3", conv(64, 128));
    bn2d3_ = register_module("bn2d3", bn(128));
    fc1_ = register_module("fc1", std::make_shared<Linear>(128 * 4 * 4, rep_dim, false, gen));
    if (!autoencoder) return;
    bn1d_ = register_module("bn1d", bn(rep_dim));
    deconv1_ = register_module("deconv1", deconv(rep_dim / 16, 128));
    bn2d4_ = register_module("bn2d4", bn(128));
    deconv2_ = register_module("deconv2", deconv(128, 64));
    bn2d5_ = register_module("bn2d5", bn(64));
    deconv3_ = register_module("deconv3", deconv(64, 32));
    bn2d6_ = register_module("bn2d6", bn(32));
    deconv4_ = register_module("deconv4", deconv(32, 3));
}

Tensor LeNetCifar::encode(const Tensor &x) {
    Tensor h = block((*conv1_)(x), *bn2d1_);
    h = block((*conv2_)(h), *bn2d2_);
    h = block((*conv3_)(h), *bn2d3_);
    h = (*fc1_)(h.flatten(1));
    return autoencoder_ ? (*bn1d_)(h) : h;
}

Tensor LeNetCifar::decode(const Tensor &z) {
    if (!autoencoder_) sdk::fail(VIGIL_ERR_STATE, "LeNetCifar was built without a decoder");
    Tensor h = leaky_relu(z.reshape({z.size(0), rep_dim / 16, 4, 4}), kSlope);  // 8×4×4
    h = up(leaky_relu((*bn2d4_)((*deconv1_)(h)), kSlope));                     // 128×8×8
    h = up(leaky_relu((*bn2d5_)((*deconv2_)(h)), kSlope));                     // 64×16×16
    h = up(leaky_relu((*bn2d6_)((*deconv3_)(h)), kSlope));                     // 32×32×32
    return sigmoid((*deconv4_)(h));                                            // 3×32×32
}

Tensor LeNetCifar::forward(const Tensor &x) { return autoencoder_ ? decode(encode(x)) : encode(x); }

} // namespace vigil::nn

namespace vigil::nn {

class WideResNet::Block : public Module {
public:
    Block(int64_t in, int64_t out, int64_t stride, double dropout, Generator &gen) : dropout_(dropout), gen_(&gen) {
        bn1 = register_module("bn1", std::make_shared<BatchNorm>(in, 1e-5, 0.1, true));
        conv1 = register_module("conv1", conv(in, out, 3, stride, 1, gen));
        bn2 = register_module("bn2", std::make_shared<BatchNorm>(out, 1e-5, 0.1, true));
        conv2 = register_module("conv2", conv(out, out, 3, 1, 1, gen));
        if (in != out || stride != 1) shortcut = register_module("shortcut", conv(in, out, 1, stride, 0, gen));
    }
    Tensor forward(const Tensor &x) override {
        const Tensor o = relu((*bn1)(x));
        Tensor y = relu((*bn2)((*conv1)(o)));
        if (dropout_ > 0) y = dropout(y, dropout_, training(), *gen_);
        y = (*conv2)(y);
        return y + (shortcut ? (*shortcut)(o) : x);
    }
    std::string name() const override { return "WideBasicBlock"; }
    static std::shared_ptr<Conv2d> conv(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, Generator &gen) {
        auto c = std::make_shared<Conv2d>(in, out, k, s, p, false, gen);
        kaiming_normal_(c->weight, gen);  // the reference's He-normal, N(0, 2 / fan_in)
        return c;
    }
    std::shared_ptr<BatchNorm> bn1, bn2;
    std::shared_ptr<Conv2d> conv1, conv2, shortcut;

private:
    double dropout_;
    Generator *gen_;
};

WideResNet::WideResNet(int depth, int widen, int64_t in_channels, int64_t num_classes, Generator &gen, double dropout) {
    if (depth < 4 || (depth - 4) % 6 != 0 || widen < 1 || in_channels < 1 || num_classes < 1)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "WideResNet: depth must be 6n + 4 (10, 16, 22, 28, ...), widen factor >= 1");
    const int n = (depth - 4) / 6;
    const int64_t ch[4] = {16, 16 * widen, 32 * widen, 64 * widen};
    conv1_ = register_module("conv1", Block::conv(in_channels, ch[0], 3, 1, 1, gen));
    int64_t in = ch[0];
    for (int g = 0; g < 3; ++g)
        for (int b = 0; b < n; ++b) {
            const int64_t stride = (b == 0 && g > 0) ? 2 : 1;
            blocks_.push_back(register_module("group" + std::to_string(g + 1) + "_block" + std::to_string(b + 1),
                                              std::make_shared<Block>(in, ch[g + 1], stride, dropout, gen)));
            in = ch[g + 1];
        }
    bn_ = register_module("bn", std::make_shared<BatchNorm>(in, 1e-5, 0.1, true));
    fc_ = register_module("fc", std::make_shared<Linear>(in, num_classes, true, gen));
    {
        NoGrad ng;
        const double bound = 1.0 / std::sqrt(double(in));
        uniform_(fc_->weight, -bound, bound, gen);
        fc_->bias.fill_(0.0);
    }
    feature_dim_ = in;
}

Tensor WideResNet::features(const Tensor &x) {
    Tensor h = (*conv1_)(x);
    for (auto &b : blocks_) h = (*b)(h);
    return global_avg_pool2d(relu((*bn_)(h)));
}
Tensor WideResNet::forward(const Tensor &x) { return (*fc_)(features(x)); }

} // namespace vigil::nn
