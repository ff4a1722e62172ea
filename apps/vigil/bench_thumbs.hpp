// bench_thumbs.hpp — test images as inline PNG thumbnails for the bench report.
//
// Why this file exists: papers show the most normal and most anomalous test
// images of a method; the report does too, embedded as data: URIs so that the
// page stays one self-contained file.
#pragma once

#include <vigil/framework/tensor.hpp>

#include <cstdint>
#include <string>

namespace vigil::bench {

// Sample i of an N x C x H x W (C = 1 or 3) or N x H x W tensor as a
// "data:image/png;base64,..." URI; uint8 as is, float32 min-max scaled per
// image. Returns "" for shapes that are not images (feature vectors).
std::string thumbnail_uri(const Tensor &x, int64_t i);

} // namespace vigil::bench
