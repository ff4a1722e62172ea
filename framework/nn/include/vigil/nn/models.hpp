// models.hpp — networks that several deep plugins share.
//
// Deep SVDD's LeNet-type networks (REFERENCE-SETTINGS.md, "Deep SVDD"; layer
// names follow the reference code so that an autoencoder's encoder and the
// Deep SVDD network share parameter names and copy_matching_state() can
// initialise one from the other): no bias anywhere, batch norm without affine
// parameters and eps 1e-4, leaky ReLU (slope 0.01), 2×2 max-pool.
#pragma once

#include <vigil/nn/module.hpp>

#include <memory>

namespace vigil::nn {

// 28×28×1 input. Encoder: conv1 1→8 (5×5, pad 2) → bn1 → lrelu → pool →
// conv2 8→4 (5×5, pad 2) → bn2 → lrelu → pool → fc1 4·7·7→32.
// With autoencoder = true, decode() mirrors it: view [N, 2, 4, 4] → lrelu →
// up×2 → deconv1 2→4 (5×5, pad 2) → bn3 → lrelu → up×2 → deconv2 4→8
// (5×5, pad 3) → bn4 → lrelu → up×2 → deconv3 8→1 (5×5, pad 2) → sigmoid.
class LeNetMnist : public Module {
public:
    LeNetMnist(bool autoencoder, Generator &gen);
    Tensor encode(const Tensor &x);
    Tensor decode(const Tensor &z);
    // encode(x), or decode(encode(x)) for an autoencoder
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return autoencoder_ ? "LeNetMnistAutoencoder" : "LeNetMnist"; }
    static constexpr int64_t rep_dim = 32;

private:
    bool autoencoder_;
    std::shared_ptr<Conv2d> conv1_, conv2_;
    std::shared_ptr<BatchNorm> bn1_, bn2_, bn3_, bn4_;
    std::shared_ptr<Linear> fc1_;
    std::shared_ptr<ConvTranspose2d> deconv1_, deconv2_, deconv3_;
};

// 32×32×3 input. Encoder: conv1 3→32, conv2 32→64, conv3 64→128 (5×5,
// pad 2), each → bn → lrelu → pool, then fc1 128·4·4→128.
// Autoencoder: the encoder ends with bn1d (1d batch norm of the code), and
// decode(): view [N, 8, 4, 4] → lrelu → deconv1 8→128 → bn2d4 → lrelu → up×2
// → deconv2 128→64 → bn2d5 → lrelu → up×2 → deconv3 64→32 → bn2d6 → lrelu →
// up×2 → deconv4 32→3 → sigmoid (all 5×5, pad 2). As in the reference, the
// autoencoder's convolution weights are xavier_uniform with the leaky-ReLU
// gain; the plain network keeps torch's default initialisation.
class LeNetCifar : public Module {
public:
    LeNetCifar(bool autoencoder, Generator &gen);
    Tensor encode(const Tensor &x);
    Tensor decode(const Tensor &z);
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return autoencoder_ ? "LeNetCifarAutoencoder" : "LeNetCifar"; }
    static constexpr int64_t rep_dim = 128;

private:
    bool autoencoder_;
    std::shared_ptr<Conv2d> conv1_, conv2_, conv3_;
    std::shared_ptr<BatchNorm> bn2d1_, bn2d2_, bn2d3_, bn1d_, bn2d4_, bn2d5_, bn2d6_;
    std::shared_ptr<Linear> fc1_;
    std::shared_ptr<ConvTranspose2d> deconv1_, deconv2_, deconv3_, deconv4_;
};

// Wide residual network (Zagoruyko & Komodakis), as GEOM's reference builds
// it (REFERENCE-SETTINGS.md, "GEOM"): a 3×3 convolution to 16 channels, three
// groups of n = (depth − 4) / 6 pre-activation basic blocks with 16k, 32k, 64k
// channels (k = widen factor) and strides 1, 2, 2, then BN → ReLU → global
// average pooling → linear. A block computes
//   o = relu(bn1(x)); y = conv3x3(relu(bn2(conv3x3_s(o)))) + shortcut,
// where the shortcut is x, or a 1×1 strided convolution of o when the
// channels or the resolution change. No convolution bias; convolutions
// He-normal, the linear layer's weight U(±1/√fan_in) and bias 0 (the
// reference's initialisers); batch norm eps 1e-5, momentum 0.1 (Keras 0.9).
// Padding is symmetric (PyTorch style); Keras 'same' with stride 2 pads one
// pixel at the bottom/right only, so strided windows sit one pixel apart
// from the reference's. WRN-10-4: depth 10, widen 4; WRN-16-8: depth 16, widen 8.
class WideResNet : public Module {
public:
    WideResNet(int depth, int widen, int64_t in_channels, int64_t num_classes, Generator &gen, double dropout = 0.0);
    Tensor features(const Tensor &x);  // pooled features before the linear layer, [N, 64k]
    Tensor forward(const Tensor &x) override;  // logits [N, num_classes] (no softmax)
    std::string name() const override { return "WideResNet"; }
    int64_t feature_dim() const { return feature_dim_; }

private:
    class Block;
    std::shared_ptr<Conv2d> conv1_;
    std::vector<std::shared_ptr<Block>> blocks_;
    std::shared_ptr<BatchNorm> bn_;
    std::shared_ptr<Linear> fc_;
    int64_t feature_dim_;
};

} // namespace vigil::nn
