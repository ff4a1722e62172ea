// serialize_test.cpp — save/load of module state through the SDK's
// Writer/Reader: bit-identical outputs after a round trip, clear errors for a
// state that does not fit the model, and no partial loads.
#include "nn_test_util.hpp"

using namespace nt;

TEST_CASE("save and load reproduce a trained model bit for bit") {
    Generator g(1);
    LeNetMnist a(true, g);
    Tensor x = rand_t({4, 1, 28, 28}, g, 0, 1, DType::f32);
    // Train a step so that running statistics and weights are not the initial ones.
    Adam opt(a.parameters(), AdamOptions{});
    mse_loss(a(x), x).backward();
    opt.step();
    a.eval();
    Buffer buf;
    vigil_writer w = buf.writer();
    vigil::sdk::Writer writer(&w);
    save_state(a, writer);
    Generator other(999);
    LeNetMnist b(true, other);
    b.eval();
    vigil_reader r = buf.reader();
    vigil::sdk::Reader reader(&r);
    load_state(b, reader);
    reader.expect_end();
    NoGrad ng;
    CHECK(a(x).to_vector<float>() == b(x).to_vector<float>());
    const auto ba = a.named_buffers(), bb = b.named_buffers();
    for (size_t i = 0; i < ba.size(); ++i) CHECK(ba[i].second.to_vector<float>() == bb[i].second.to_vector<float>());
}

TEST_CASE("loading a state into another architecture fails and changes nothing") {
    Generator g(2);
    LeNetMnist ae(true, g);
    Buffer buf;
    vigil_writer w = buf.writer();
    vigil::sdk::Writer writer(&w);
    save_state(ae, writer);

    LeNetMnist net(false, g);
    const auto before = net.parameters()[0].to_vector<float>();
    vigil_reader r = buf.reader();
    vigil::sdk::Reader reader(&r);
    std::string msg;
    CHECK(error_code([&] { load_state(net, reader); }, &msg) == VIGIL_ERR_IO);
    CHECK(msg.find("entries") != std::string::npos);
    CHECK(net.parameters()[0].to_vector<float>() == before);

    // Same entry count, different shape.
    Sequential s1, s2;
    s1.add(std::make_shared<Linear>(3, 2, false, g));
    s2.add(std::make_shared<Linear>(4, 2, false, g));
    Buffer b2;
    vigil_writer w2 = b2.writer();
    vigil::sdk::Writer writer2(&w2);
    save_state(s1, writer2);
    vigil_reader r2 = b2.reader();
    vigil::sdk::Reader reader2(&r2);
    CHECK(error_code([&] { load_state(s2, reader2); }, &msg) == VIGIL_ERR_IO);
    CHECK(msg.find("0.weight") != std::string::npos);

    // Truncated and corrupted states.
    Buffer b3;
    b3.bytes.assign(buf.bytes.begin(), buf.bytes.begin() + static_cast<long>(buf.bytes.size() / 2));
    LeNetMnist ae2(true, g);
    vigil_reader r3 = b3.reader();
    vigil::sdk::Reader reader3(&r3);
    CHECK(error_code([&] { load_state(ae2, reader3); }) == VIGIL_ERR_IO);
    Buffer b4 = buf;
    b4.bytes[0] = 'X';
    vigil_reader r4 = b4.reader();
    vigil::sdk::Reader reader4(&r4);
    CHECK(error_code([&] { load_state(ae2, reader4); }, &msg) == VIGIL_ERR_IO);
    CHECK(msg.find("magic") != std::string::npos);
}
