// image_check.hpp — structural checks of PNG and JPEG files before decoding.
//
// Why this file exists: stb_image decodes a JPEG cut short without complaint
// (the missing part reads as grey) and never checks PNG chunk CRCs, so a
// truncated upload or a transmission dropout would enter the data silently.
// These walks find both, cheaply, from the stored bytes.
#pragma once

#include <string>

namespace vigil::data::detail {

// "" when `bytes` is not a PNG/JPEG or is a complete one; else why it is not
// (e.g. "truncated PNG: ends inside chunk IDAT").
std::string png_problem(const std::string &bytes);
std::string jpeg_problem(const std::string &bytes);

} // namespace vigil::data::detail
