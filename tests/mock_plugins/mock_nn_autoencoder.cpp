// mock_nn_autoencoder.cpp — a tiny dense autoencoder detector built with
// vigil_add_plugin(... NN CUDA TEST_ONLY), so the test suite proves what the
// deep plugins rely on: the engine (framework/nn) links into a plugin module
// with only vigil_plugin_entry exported, trains inside fit, follows the
// host's seed and thread budget, saves/loads its weights through the SDK, and
// its cuda variant reports "no device" cleanly where there is none.
// A test double for the engine's integration, not a method (issue 5 ships
// the papers' autoencoders).
#include <vigil/cpp/params.hpp>
#include <vigil/nn/nn.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

namespace nn = vigil::nn;
namespace sdk = vigil::sdk;

const char *kSchema = R"({"type":"object","additionalProperties":false,"properties":{
  "hidden":{"type":"integer","minimum":1,"default":4,"description":"bottleneck width"},
  "epochs":{"type":"integer","minimum":1,"default":40,"description":"passes over the training set"},
  "batch_size":{"type":"integer","minimum":1,"default":32,"description":"samples per Adam step"},
  "lr":{"type":"number","exclusiveMinimum":0,"default":0.01,"description":"Adam learning rate"}}})";

// d -> hidden -> d, ReLU between; registered in this order (save/load relies on it).
struct Net : nn::Module {
    Net(int64_t d, int64_t h, nn::Generator &gen) {
        enc = register_module("enc", std::make_shared<nn::Linear>(d, h, true, gen));
        dec = register_module("dec", std::make_shared<nn::Linear>(h, d, true, gen));
    }
    nn::Tensor forward(const nn::Tensor &x) override { return dec->forward(nn::relu(enc->forward(x))); }
    std::shared_ptr<nn::Linear> enc, dec;
};

class MockNnAutoencoder : public sdk::Detector {
public:
    MockNnAutoencoder(const nlohmann::json &params, sdk::Host host) : host_(host) {
        const sdk::Params p(params, "mock_nn_autoencoder", {"hidden", "epochs", "batch_size", "lr"});
        hidden_ = p.integer("hidden", 4, 1, 4096);
        epochs_ = p.integer("epochs", 40, 1, 100000);
        batch_ = p.integer("batch_size", 32, 1, 1 << 20);
        lr_ = p.number("lr", 0.01, 0.0, 10.0, true);
    }

    void fit(const sdk::TensorRef &x, const sdk::TensorRef *) override {
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        sdk::require(n > 0, "need at least one training sample");
        nn::set_num_threads(static_cast<int>(host_.threads()));
        nn::Generator gen(host_.seed());
        d_ = d;
        net_ = std::make_unique<Net>(d, hidden_, gen);
        net_->to(nn::variant_device());
        nn::AdamOptions o;
        o.lr = lr_;
        nn::Adam opt(net_->parameters(), o);
        nn::Batches data(x.f32(), n, {d}, batch_);
        for (int64_t e = 0; e < epochs_; ++e) {
            data.shuffle(gen);
            for (int64_t b = 0; b < data.count(); ++b) {
                const nn::Tensor xb = data.batch(b, nn::variant_device());
                opt.zero_grad();
                nn::mse_loss(net_->forward(xb), xb).backward();
                opt.step();
            }
            host_.progress(e + 1, epochs_, "epoch");
        }
        nn::release_cached_memory();
    }

    // Score = squared reconstruction error summed over features (larger = more anomalous).
    void score(const sdk::TensorRef &x, float *out) override {
        sdk::require(net_ != nullptr, "score before fit", VIGIL_ERR_STATE);
        sdk::require(x.sample_size() == d_, "feature count differs from fit");
        nn::set_num_threads(static_cast<int>(host_.threads()));
        nn::NoGrad no_grad;
        const nn::Tensor xt = nn::Tensor::from_data(x.f32(), {x.samples(), d_}).to(nn::variant_device());
        const nn::Tensor err = nn::sum(nn::square(nn::sub(net_->forward(xt), xt)), {1}).to(nn::Device::cpu);
        std::copy_n(err.data<float>(), x.samples(), out);
    }

    void save(sdk::Writer &w) override {
        sdk::require(net_ != nullptr, "save before fit", VIGIL_ERR_STATE);
        w.pod<int64_t>(d_);
        nn::save_state(*net_, w);
    }
    void load(sdk::Reader &r) override {
        const int64_t d = r.pod<int64_t>();
        sdk::require(d > 0, "corrupt state: feature count", VIGIL_ERR_IO);
        nn::Generator gen(0);
        auto net = std::make_unique<Net>(d, hidden_, gen);
        net->to(nn::variant_device());
        nn::load_state(*net, r);
        r.expect_end();
        d_ = d;
        net_ = std::move(net);
    }

private:
    sdk::Host host_;
    int64_t hidden_, epochs_, batch_;
    double lr_;
    int64_t d_ = 0;
    std::unique_ptr<Net> net_;
};

} // namespace

VIGIL_NN_PLUGIN(MockNnAutoencoder, "mock_nn_autoencoder", "0.1.0",
                "test double: dense autoencoder on framework/nn (reconstruction error)", kSchema)
