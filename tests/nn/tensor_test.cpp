// tensor_test.cpp — Tensor basics and the autograd tape: creation,
// conversion, views, gradient accumulation, NoGrad, detach, graph release,
// and the errors users get for misuse.
#include "nn_test_util.hpp"

using namespace nt;

TEST_CASE("tensor creation, shape and conversion") {
    Tensor t = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
    CHECK(t.shape() == Shape{2, 3});
    CHECK(t.numel() == 6);
    CHECK(t.size(-1) == 3);
    CHECK(t.dtype() == DType::f32);
    CHECK(t.device() == Device::cpu);
    CHECK(t.describe() == "f32[2, 3] on cpu");
    CHECK(t.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
    Tensor d = t.to(DType::f64);
    CHECK(d.dtype() == DType::f64);
    CHECK(d.to_vector<float>() == t.to_vector<float>());
    CHECK(Tensor::full({2}, 2.5).to_vector<float>() == std::vector<float>{2.5f, 2.5f});
    CHECK(Tensor::scalar(3.0).item() == 3.0);
    CHECK(Tensor::zeros({0, 3}).numel() == 0);
    Tensor r = t.reshape({3, -1});
    CHECK(r.shape() == Shape{3, 2});
    CHECK(r.shares_storage(t));
    CHECK(t.flatten(0).shape() == Shape{6});
    Tensor labels = Tensor::from_vector(std::vector<int32_t>{3, 1}, {2});
    CHECK(labels.to_vector<int32_t>() == std::vector<int32_t>{3, 1});
    CHECK(labels.to(DType::f32).to_vector<float>() == std::vector<float>{3, 1});
}

TEST_CASE("tensor misuse gives clear errors") {
    Tensor t = Tensor::ones({2, 3});
    std::string msg;
    CHECK(error_code([&] { t.reshape({4, 2}); }, &msg) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(msg.find("reshape") != std::string::npos);
    CHECK(error_code([&] { t.item(); }) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(error_code([&] { t.data<double>(); }) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(error_code([&] { Tensor::from_vector(std::vector<float>{1, 2}, {3}); }) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(error_code([&] { t + Tensor::ones({2, 3}, DType::f64); }, &msg) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(msg.find("differ in device or dtype") != std::string::npos);
    CHECK(error_code([&] { t + Tensor::ones({4}); }, &msg) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(msg.find("do not broadcast") != std::string::npos);
    CHECK(error_code([&] { Tensor().shape(); }) == VIGIL_ERR_INVALID_ARGUMENT);
    // This library is the cpu variant: cuda tensors are an error naming the cuda library.
    CHECK(variant_device() == Device::cpu);
    CHECK_FALSE(cuda_available());
    CHECK(error_code([&] { Tensor::zeros({2}, DType::f32, Device::cuda); }, &msg) == VIGIL_ERR_NO_DEVICE);
    CHECK(msg.find("vigil_nn_cuda") != std::string::npos);
}

TEST_CASE("backward: chain rule, accumulation into leaves, zero_grad") {
    Tensor x = vals({1, 2, 3}, {3}).requires_grad_();
    Tensor y = sum(x * x * 2.0);  // dy/dx = 4x
    CHECK(y.grad_fn_name() != nullptr);
    CHECK_FALSE(y.is_leaf());
    y.backward();
    check_close(x.grad(), {4, 8, 12});
    sum(x).backward();  // accumulates
    check_close(x.grad(), {5, 9, 13});
    x.zero_grad();
    CHECK_FALSE(x.grad().defined());
}

TEST_CASE("backward: shared subexpressions and unused inputs") {
    Tensor a = vals({2}, {1}).requires_grad_(), b = vals({3}, {1}).requires_grad_(), c = vals({5}, {1}).requires_grad_();
    Tensor s = a * b;          // 6
    Tensor y = s * s + s * a;  // s² + s a
    sum(y).backward();
    // dy/da = 2 s b + (b a + s) = 2·6·3 + (6 + 6) = 48; dy/db = 2 s a + a·a = 24 + 4 = 28
    check_close(a.grad(), {48});
    check_close(b.grad(), {28});
    CHECK_FALSE(c.grad().defined());
}

TEST_CASE("backward with a seed, retain_graph, and a released graph") {
    Tensor x = vals({1, -2}, {2}).requires_grad_();
    Tensor y = x * 3.0;
    y.backward(vals({1, 10}, {2}), true);
    check_close(x.grad(), {3, 30});
    y.backward(vals({1, 1}, {2}));  // graph was retained once, now released
    check_close(x.grad(), {6, 33});
    std::string msg;
    CHECK(error_code([&] { y.backward(vals({1, 1}, {2})); }, &msg) == VIGIL_ERR_STATE);
    CHECK(msg.find("released") != std::string::npos);
    CHECK(error_code([&] { y.backward(); }) == VIGIL_ERR_INVALID_ARGUMENT);  // not a scalar, no seed
}

TEST_CASE("NoGrad, detach and requires_grad propagation") {
    Tensor x = vals({1, 2}, {2}).requires_grad_();
    {
        NoGrad ng;
        CHECK_FALSE(grad_enabled());
        Tensor y = x * 2.0;
        CHECK_FALSE(y.requires_grad());
        CHECK(y.is_leaf());
        {
            NoGrad nested;
        }
        CHECK_FALSE(grad_enabled());
    }
    CHECK(grad_enabled());
    Tensor d = x.detach();
    CHECK(d.shares_storage(x));
    CHECK_FALSE(d.requires_grad());
    Tensor z = x * d;  // gradient flows only through x: dz/dx = d
    sum(z).backward();
    check_close(x.grad(), {1, 2});
    Tensor plain = vals({1}, {1});
    CHECK_FALSE((plain * 2.0).requires_grad());
    CHECK(error_code([&] { (plain * 2.0).backward(); }) == VIGIL_ERR_INVALID_ARGUMENT);
    Tensor nonleaf = x * 1.0;
    CHECK(error_code([&] { nonleaf.requires_grad_(); }) == VIGIL_ERR_INVALID_ARGUMENT);
}

TEST_CASE("gradients through dtype casts and views") {
    Tensor x = vals({1, 2, 3, 4}, {2, 2}).requires_grad_();
    Tensor y = x.to(DType::f32).reshape({4}) * 2.0;
    sum(y.to(DType::f64)).backward();
    CHECK(x.grad().dtype() == DType::f64);
    check_close(x.grad(), {2, 2, 2, 2});
}

TEST_CASE("the graph does not keep outputs alive in a cycle") {
    std::weak_ptr<vigil::nn::detail::TensorImpl> weak;
    {
        Tensor x = vals({1, 2}, {2}).requires_grad_();
        Tensor y = sigmoid(x);  // backward captures its own output (detached)
        weak = y.impl_ptr();
    }
    CHECK(weak.expired());
}

TEST_CASE("copy_, fill_ and move_to_ keep handles") {
    Tensor a = Tensor::zeros({3});
    Tensor alias = a;
    a.copy_(vals({1, 2, 3}, {3}));
    CHECK(alias.to_vector<float>() == std::vector<float>{1, 2, 3});
    a.fill_(7);
    CHECK(alias.to_vector<float>() == std::vector<float>{7, 7, 7});
    a.move_to_(Device::cpu);  // same device: no-op
    CHECK(a.same(alias));
}

TEST_CASE("thread budget") {
    const int before = num_threads();
    set_num_threads(1);
    CHECK(num_threads() == 1);
    set_num_threads(2);
    CHECK(num_threads() == 2);
    set_num_threads(before);
}
