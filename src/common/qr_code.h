// File: common/qr_code.h
//
// QR codes as PNG images. IAM's CreateVirtualMFADevice returns the otpauth:// URI of a new
// device as a QR code PNG (QRCodePNG), which `aws iam create-virtual-mfa-device
// --bootstrap-method QRCodePNG --outfile F` writes to F; authenticator apps scan it.
//
// The symbol comes from libqrencode (byte mode, error correction level M, the smallest version
// that holds the data); libpng writes the image into memory.
//
// Thread-safety: pure functions over values (Debian's libqrencode is built thread-safe).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace orgtwin {

struct QrCode {
  int version = 0;  // 1..40; the symbol is 17 + 4 * version modules wide
  int size = 0;
  std::vector<bool> dark;  // size * size modules, row-major (dark[y * size + x])

  bool Dark(int x, int y) const { return dark[static_cast<size_t>(y) * size + x]; }
};

// Encodes `data` as one byte-mode segment at error correction level M in the smallest version
// that holds it. Fails (kInvalidInput) when the data exceeds version 40's capacity (2,331
// bytes).
Result<QrCode> EncodeQr(std::string_view data);

// A 1-bit grayscale PNG of `code`: `scale` pixels per module (>= 1), and
// `border` light modules around the symbol (the quiet zone; 4 is the standard's minimum), so
// the image is (size + 2 * border) * scale pixels square. Dark modules are black (0), light
// ones white (1). Never fails for a valid code; running out of memory throws std::bad_alloc as
// any allocation does.
std::string QrPng(const QrCode& code, int scale = 4, int border = 4);

}  // namespace orgtwin
