#include "common/qr_code.h"

#include <cerrno>
#include <csetjmp>
#include <cstdint>
#include <memory>
#include <new>

#include <png.h>
#include <qrencode.h>

namespace orgtwin {
namespace {

struct QrcodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

// libpng reports errors by longjmp; this sink appends to a std::string and must not let
// std::bad_alloc unwind through libpng's C frames, so it turns it into png_error.
void AppendToString(png_structp png, png_bytep bytes, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  bool appended = true;
  try {
    out->append(reinterpret_cast<const char*>(bytes), length);
  } catch (const std::bad_alloc&) {
    appended = false;
  }
  // Outside the handler: png_error longjmps, which must not skip the exception's cleanup.
  if (!appended) png_error(png, "out of memory");
}

void FlushNothing(png_structp) {}

// The libpng calls, isolated so that the longjmp of an error lands in a frame that owns no
// C++ objects constructed after setjmp. `rows` holds `width` packed scanlines (the image is
// square). Returns false
// when libpng reported an error.
bool WritePng(png_structp png, png_infop info, uint32_t width, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, width, width, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  // Two-tone 1-bit rows gain nothing from prediction filters (libpng's own default below 8
  // bits); saying so keeps every scanline's filter byte 0 whatever the library default.
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

Result<QrCode> EncodeQr(std::string_view data) {
  Status too_large = InvalidInputError("QR code data of " + std::to_string(data.size()) +
                                       " bytes exceeds the largest symbol's capacity");
  // Far beyond any symbol's capacity; also keeps the length within libqrencode's int.
  if (data.size() > 65536) return too_large;
  // QRcode_encodeData takes the bytes as one 8-bit segment (no mode switching), so NULs and any
  // other bytes are carried verbatim; version 0 asks for the smallest version that fits. It
  // refuses empty data with EINVAL and data beyond version 40 with ERANGE.
  errno = 0;
  std::unique_ptr<QRcode, QrcodeDeleter> encoded(
      QRcode_encodeData(static_cast<int>(data.size()),
                        reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M));
  if (encoded == nullptr) {
    if (errno == ENOMEM) throw std::bad_alloc();
    if (errno == ERANGE) return too_large;
    return InvalidInputError("QR code data must not be empty");
  }
  QrCode code;
  code.version = encoded->version;
  code.size = encoded->width;
  const size_t modules = static_cast<size_t>(code.size) * static_cast<size_t>(code.size);
  code.dark.resize(modules);
  // Each module is a byte whose least significant bit is 1 for dark (qrencode.h).
  for (size_t i = 0; i < modules; ++i) code.dark[i] = (encoded->data[i] & 1) != 0;
  return code;
}

std::string QrPng(const QrCode& code, int scale, int border) {
  const int modules = code.size + 2 * border;
  const uint32_t width = static_cast<uint32_t>(modules * scale);
  const size_t row_bytes = (width + 7) / 8;
  // Packed 1-bit scanlines, MSB first: 1 = white (light), 0 = black (dark).
  std::vector<png_byte> pixels(row_bytes * width, 0);
  std::vector<png_bytep> rows(width);
  for (uint32_t py = 0; py < width; ++py) {
    png_bytep row = pixels.data() + py * row_bytes;
    rows[py] = row;
    const int my = static_cast<int>(py) / scale - border;
    for (uint32_t px = 0; px < width; ++px) {
      const int mx = static_cast<int>(px) / scale - border;
      const bool dark = mx >= 0 && my >= 0 && mx < code.size && my < code.size && code.Dark(mx, my);
      if (!dark) row[px / 8] = static_cast<png_byte>(row[px / 8] | (0x80 >> (px % 8)));
    }
  }

  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    throw std::bad_alloc();
  }
  png_set_write_fn(png, &out, AppendToString, FlushNothing);
  const bool written = WritePng(png, info, width, rows.data());
  png_destroy_write_struct(&png, &info);
  // The sink cannot fail and the parameters are fixed and valid, so libpng only errs when
  // memory runs out.
  if (!written) throw std::bad_alloc();
  return out;
}

}  // namespace orgtwin
