// nn_bench.cpp — training loads of vigil::nn, timed per epoch, for the
// side-by-side comparison with PyTorch (bench/nn/torch_bench.py runs the same
// loads; bench/nn/run.sh runs both and prints the table).
//
//   vigil_nn_bench <load> [epochs] [threads]
//   loads: svdd_lenet  (a) Deep SVDD, MNIST LeNet, 28×28, batch 200, Adam
//          svdd_ae     (b) its convolutional autoencoder, MSE, batch 200, Adam
//          wrn         (c) WRN-10-4, 3×32×32 inputs, 72 classes, batch 128, Adam
//          vae         (d) VAE 784-256-16, batch 128, Adam
// Data: the 6,000 training images of Fashion-MNIST class 0, scaled to [0, 1];
// for wrn, 1,280 synthetic images (uniform in [−1, 1], random labels): the
// time of a step does not depend on the pixel values.
// Prints one line per epoch and a final "median_s_per_epoch <value>" line;
// the first epoch is a warm-up (primitive creation) and is not counted.
// Memory: "rss_before_training_mib" (after loading data, before the model is
// built) and "peak_rss_mib" (the process's high-water mark, VmHWM), so the
// training's own peak is the difference; torch_bench.py prints the same.
#include <vigil/framework/data.hpp>
#include <vigil/framework/process_memory.hpp>
#include <vigil/nn/nn.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace vigil::nn;

namespace {

struct Data {
    std::vector<float> x;
    int64_t n = 0;
};

Data load_class0() {
    const std::string dir = "/usr/share/datasets/fashion-mnist/";
    const auto ds = vigil::data::read_idx(dir + "train-images-idx3-ubyte.gz", dir + "train-labels-idx1-ubyte.gz");
    const uint8_t *p = ds.x.data<uint8_t>();
    Data d;
    for (size_t i = 0; i < ds.labels.size(); ++i) {
        if (ds.labels[i] != 0) continue;
        for (size_t j = 0; j < 784; ++j) d.x.push_back(p[i * 784 + j] / 255.0f);
        ++d.n;
    }
    return d;
}

// A VAE 784-256-16 with a Gaussian decoder (sum of squared errors) and the KL term.
class Vae : public Module {
public:
    explicit Vae(Generator &g) {
        enc = register_module("enc", std::make_shared<Linear>(784, 256, true, g));
        mu = register_module("mu", std::make_shared<Linear>(256, 16, true, g));
        logvar = register_module("logvar", std::make_shared<Linear>(256, 16, true, g));
        dec1 = register_module("dec1", std::make_shared<Linear>(16, 256, true, g));
        dec2 = register_module("dec2", std::make_shared<Linear>(256, 784, true, g));
    }
    Tensor loss(const Tensor &x, Generator &g) {
        const Tensor h = relu((*enc)(x));
        const Tensor m = (*mu)(h), lv = (*logvar)(h);
        Tensor eps = Tensor::empty(m.shape());
        normal_(eps, 0, 1, g);
        const Tensor z = m + exp(lv * 0.5) * eps;
        const Tensor rec = sigmoid((*dec2)(relu((*dec1)(z))));
        const Tensor sse = sum(square(rec - x));
        const Tensor kl = sum(exp(lv) + square(m) - lv - 1.0) * 0.5;
        return (sse + kl) / double(x.size(0));
    }
    std::shared_ptr<Linear> enc, mu, logvar, dec1, dec2;
};

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s svdd_lenet|svdd_ae|wrn|vae [epochs] [threads]\n", argv[0]);
        return 2;
    }
    const std::string load = argv[1];
    const int epochs = argc > 2 ? std::atoi(argv[2]) : 5;
    set_num_threads(argc > 3 ? std::atoi(argv[3]) : 2);
    const Data d = load_class0();
    std::printf("rss_before_training_mib %.1f\n", vigil::process_status_mib("VmRSS:"));
    Generator g(0);
    std::vector<double> times;
    // Full batches only (drop_last), a new order per epoch, as torch_bench.py.
    auto timed_epoch = [&](auto &&step, Batches &data) {
        data.shuffle(g);
        const auto t0 = std::chrono::steady_clock::now();
        double last = 0;
        for (int64_t b = 0; b < data.count(); ++b) last = step(data, b);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        times.push_back(s);
        std::printf("epoch %zu: %.3f s, last loss %.6g\n", times.size(), s, last);
        std::fflush(stdout);
    };
    if (load == "svdd_lenet" || load == "svdd_ae") {
        const bool ae = load == "svdd_ae";
        LeNetMnist net(ae, g);
        AdamOptions o;
        o.lr = 1e-4;
        o.weight_decay = ae ? 0.5e-3 : 0.5e-6;
        Adam opt(net.parameters(), o);
        Tensor c;
        if (!ae) {  // centre: mean output of an initial forward pass (as Deep SVDD)
            NoGrad ng;
            net.eval();
            c = mean(net(Tensor::from_vector(std::vector<float>(d.x.begin(), d.x.begin() + 200 * 784), {200, 1, 28, 28})), {0});
            net.train();
        }
        Batches data(d.x.data(), d.n, {1, 28, 28}, 200, true);
        auto step = [&](const Batches &batches, int64_t b) {
            const Tensor x = batches.batch(b);
            opt.zero_grad();
            const Tensor out = net(x);
            Tensor loss = ae ? mse_loss(out, x) : mean(sum(square(out - c), {1}));
            loss.backward();
            opt.step();
            return loss.item();
        };
        for (int e = 0; e <= epochs; ++e) timed_epoch(step, data);
    } else if (load == "wrn") {
        const int64_t n = 1280, bs = 128;
        std::vector<float> xs(static_cast<size_t>(n * 3 * 32 * 32));
        std::vector<int32_t> ys(static_cast<size_t>(n));
        for (float &v : xs) v = static_cast<float>(g.uniform(-1, 1));
        for (int32_t &v : ys) v = static_cast<int32_t>(g.below(72));
        WideResNet wrn(10, 4, 3, 72, g);
        AdamOptions o;
        o.weight_decay = 5e-4;  // Keras l2(2.5e-4) on every weight = gradient 5e-4 · w
        Adam opt(wrn.parameters(), o);
        Batches data(xs.data(), n, {3, 32, 32}, bs, true);
        auto step = [&](const Batches &batches, int64_t b) {
            opt.zero_grad();
            Tensor loss = cross_entropy(wrn(batches.batch(b)), batches.labels(b, ys.data()));
            loss.backward();
            opt.step();
            return loss.item();
        };
        for (int e = 0; e <= epochs; ++e) timed_epoch(step, data);
    } else if (load == "vae") {
        Vae vae(g);
        Adam opt(vae.parameters(), AdamOptions{1e-3});
        Batches data(d.x.data(), d.n, {784}, 128, true);
        auto step = [&](const Batches &batches, int64_t b) {
            opt.zero_grad();
            Tensor loss = vae.loss(batches.batch(b), g);
            loss.backward();
            opt.step();
            return loss.item();
        };
        for (int e = 0; e <= epochs; ++e) timed_epoch(step, data);
    } else {
        std::fprintf(stderr, "unknown load %s\n", load.c_str());
        return 2;
    }
    std::vector<double> counted(times.begin() + 1, times.end());
    std::sort(counted.begin(), counted.end());
    std::printf("median_s_per_epoch %.4f\n", counted[counted.size() / 2]);
    std::printf("peak_rss_mib %.1f\n", vigil::process_status_mib("VmHWM:"));
    return 0;
}
