// abi_layout.cpp — freezes the ABI 1.0 layout: sizes and field offsets of every
// struct that crosses the boundary (LP64). A change here that is not an
// append at the end of a struct is an ABI break and needs a major version bump.
#include <doctest/doctest.h>
#include <vigil/vigil.h>

#include <cstddef>

static_assert(VIGIL_ABI_VERSION == 0x00010000u, "ABI version changed: update these layout checks deliberately");
// Every versioned struct starts with its size.
static_assert(offsetof(vigil_plugin_desc, struct_size) == 0);
static_assert(offsetof(vigil_host, struct_size) == 0);
static_assert(offsetof(vigil_detector_iface, struct_size) == 0);
static_assert(offsetof(vigil_extractor_iface, struct_size) == 0);
static_assert(offsetof(vigil_evaluator_iface, struct_size) == 0);
static_assert(offsetof(vigil_writer, struct_size) == 0);
static_assert(offsetof(vigil_reader, struct_size) == 0);
static_assert(offsetof(vigil_metric_sink, struct_size) == 0);
// Descriptor (ABI 1.0, LP64).
static_assert(offsetof(vigil_plugin_desc, abi_version) == 4);
static_assert(offsetof(vigil_plugin_desc, name) == 8);
static_assert(offsetof(vigil_plugin_desc, version) == 16);
static_assert(offsetof(vigil_plugin_desc, kind) == 24);
static_assert(offsetof(vigil_plugin_desc, backend) == 28);
static_assert(offsetof(vigil_plugin_desc, description) == 32);
static_assert(offsetof(vigil_plugin_desc, params_schema) == 40);
static_assert(offsetof(vigil_plugin_desc, probe) == 48);
static_assert(offsetof(vigil_plugin_desc, iface) == 56);
static_assert(sizeof(vigil_plugin_desc) == 64);
// Tensor view.
static_assert(offsetof(vigil_tensor, data) == 0);
static_assert(offsetof(vigil_tensor, dtype) == 8);
static_assert(offsetof(vigil_tensor, rank) == 20);
static_assert(offsetof(vigil_tensor, shape) == 24);
static_assert(sizeof(vigil_tensor) == 24 + 8 * VIGIL_MAX_RANK);
// Host services.
static_assert(offsetof(vigil_host, ctx) == 8);
static_assert(offsetof(vigil_host, log) == 16);
static_assert(offsetof(vigil_host, progress) == 24);
static_assert(offsetof(vigil_host, cancelled) == 32);
static_assert(offsetof(vigil_host, error) == 40);
static_assert(offsetof(vigil_host, seed) == 48);
static_assert(offsetof(vigil_host, threads) == 56);
// Function tables: slot order is part of the ABI.
static_assert(offsetof(vigil_detector_iface, create) == 8);
static_assert(offsetof(vigil_detector_iface, destroy) == 16);
static_assert(offsetof(vigil_detector_iface, fit) == 24);
static_assert(offsetof(vigil_detector_iface, score) == 32);
static_assert(offsetof(vigil_detector_iface, save) == 40);
static_assert(offsetof(vigil_detector_iface, load) == 48);
static_assert(offsetof(vigil_extractor_iface, output_shape) == 24);
static_assert(offsetof(vigil_extractor_iface, fit) == 32);
static_assert(offsetof(vigil_extractor_iface, transform) == 40);
static_assert(offsetof(vigil_evaluator_iface, evaluate) == 24);

TEST_CASE("ABI version macros split major and minor") {
    CHECK(VIGIL_ABI_MAJOR_OF(VIGIL_ABI_VERSION) == VIGIL_ABI_VERSION_MAJOR);
    CHECK(VIGIL_ABI_MINOR_OF(VIGIL_ABI_VERSION) == VIGIL_ABI_VERSION_MINOR);
    CHECK(VIGIL_ABI_MAJOR_OF(0x00020003u) == 2u);
    CHECK(VIGIL_ABI_MINOR_OF(0x00020003u) == 3u);
}
