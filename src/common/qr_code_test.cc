#include "common/qr_code.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <png.h>
#include <qrencode.h>

namespace orgtwin {
namespace {

const char kUri[] =
    "otpauth://totp/Amazon%20Web%20Services:device@123456789012?secret="
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWXYZ234567&issuer=Amazon%20Web%20"
    "Services";

// libqrencode's own matrix for `data` (one byte-mode segment, level M, smallest version):
// dark[y * width + x], the reference the PNG's modules are compared with.
struct Reference {
  int version = 0;
  int width = 0;
  std::vector<bool> dark;
};

Reference LibqrencodeMatrix(const std::string& data) {
  Reference ref;
  QRcode* code =
      QRcode_encodeData(static_cast<int>(data.size()),
                        reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M);
  if (code == nullptr) return ref;
  ref.version = code->version;
  ref.width = code->width;
  for (int i = 0; i < code->width * code->width; ++i) ref.dark.push_back((code->data[i] & 1) != 0);
  QRcode_free(code);
  return ref;
}

// A PNG decoded by libpng's simplified API into 8-bit grayscale.
struct Decoded {
  bool ok = false;
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> gray;  // row-major
};

Decoded DecodePng(const std::string& png) {
  Decoded out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) return out;
  image.format = PNG_FORMAT_GRAY;
  out.gray.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.gray.data(), 0, nullptr)) {
    png_image_free(&image);
    return out;
  }
  out.ok = true;
  out.width = image.width;
  out.height = image.height;
  return out;
}

// Checks every pixel of `png` against libqrencode's matrix for `data`: `border` light modules
// of quiet zone around the symbol, each module a `scale` x `scale` square, black for dark and
// white for light.
void ExpectPngShowsTheSymbol(const std::string& data, const std::string& png, int scale,
                             int border) {
  Reference ref = LibqrencodeMatrix(data);
  ASSERT_GT(ref.width, 0);
  Decoded image = DecodePng(png);
  ASSERT_TRUE(image.ok);
  const uint32_t expected_width = static_cast<uint32_t>((ref.width + 2 * border) * scale);
  ASSERT_EQ(image.width, expected_width);
  ASSERT_EQ(image.height, expected_width);
  for (uint32_t py = 0; py < image.height; ++py) {
    for (uint32_t px = 0; px < image.width; ++px) {
      const int mx = static_cast<int>(px) / scale - border;
      const int my = static_cast<int>(py) / scale - border;
      const bool dark = mx >= 0 && my >= 0 && mx < ref.width && my < ref.width &&
                        ref.dark[static_cast<size_t>(my) * ref.width + mx];
      ASSERT_EQ(image.gray[py * image.width + px], dark ? 0 : 255) << px << "," << py;
    }
  }
}

TEST(QrCodeTest, MatrixIsLibqrencodesForTheSamePayload) {
  for (const std::string& data :
       {std::string("hello"), std::string(kUri), std::string("nul\0byte\xff", 9)}) {
    Result<QrCode> code = EncodeQr(data);
    ASSERT_TRUE(code.ok()) << code.status().message();
    Reference ref = LibqrencodeMatrix(data);
    EXPECT_EQ(code->version, ref.version);
    EXPECT_EQ(code->size, ref.width);
    EXPECT_EQ(code->size, 17 + 4 * code->version);
    EXPECT_EQ(code->dark, ref.dark);
  }
}

TEST(QrCodeTest, PicksTheSmallestLevelMVersionForByteData) {
  // ISO/IEC 18004 table 7, byte mode at level M: version 1 holds 14 bytes, 2 holds 26, 8 holds
  // 152, 9 holds 180 and 40 holds 2,331.
  EXPECT_EQ(EncodeQr("hello")->version, 1);
  EXPECT_EQ(EncodeQr(std::string(14, 'a'))->version, 1);
  EXPECT_EQ(EncodeQr(std::string(15, 'a'))->version, 2);
  EXPECT_EQ(EncodeQr(std::string(26, 'a'))->version, 2);
  EXPECT_EQ(EncodeQr(std::string(27, 'a'))->version, 3);
  ASSERT_EQ(std::string(kUri).size(), 161u);
  EXPECT_EQ(EncodeQr(kUri)->version, 9);
  EXPECT_EQ(EncodeQr(std::string(2331, 'x'))->version, 40);
}

TEST(QrCodeTest, FormatInformationSaysLevelM) {
  Result<QrCode> code = EncodeQr(kUri);
  ASSERT_TRUE(code.ok());
  const int n = code->size;
  // Finder patterns: dark 7x7 rings with a dark 3x3 centre, so the symbol is a real QR code.
  for (auto [cx, cy] : {std::pair{3, 3}, std::pair{n - 4, 3}, std::pair{3, n - 4}}) {
    EXPECT_TRUE(code->Dark(cx, cy));
    EXPECT_TRUE(code->Dark(cx - 3, cy - 3));
    EXPECT_FALSE(code->Dark(cx - 2, cy - 2));
    EXPECT_TRUE(code->Dark(cx + 1, cy + 1));
  }
  // The 15 format bits around the top-left finder (bit 0 at the top of column x = 8, down
  // to its crossing with row y = 8, then leftwards along that row) are one of level M's eight
  // codes (ISO/IEC 18004 table C.1, one per mask pattern).
  uint32_t format = 0;
  for (int i = 0; i <= 5; ++i) format |= static_cast<uint32_t>(code->Dark(8, i)) << i;
  format |= static_cast<uint32_t>(code->Dark(8, 7)) << 6;
  format |= static_cast<uint32_t>(code->Dark(8, 8)) << 7;
  format |= static_cast<uint32_t>(code->Dark(7, 8)) << 8;
  for (int i = 9; i < 15; ++i) format |= static_cast<uint32_t>(code->Dark(14 - i, 8)) << i;
  const uint32_t level_m[] = {0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0};
  EXPECT_NE(std::find(std::begin(level_m), std::end(level_m), format), std::end(level_m))
      << std::hex << format;
}

TEST(QrCodeTest, TooLongOrEmptyDataIsRefused) {
  Result<QrCode> too_long = EncodeQr(std::string(2332, 'x'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), ErrorCode::kInvalidInput);
  Result<QrCode> huge = EncodeQr(std::string(100000, 'x'));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), ErrorCode::kInvalidInput);
  Result<QrCode> empty = EncodeQr("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidInput);
}

TEST(QrCodeTest, DefaultPngHasAFourModuleQuietZoneAndFourPixelModules) {
  Result<QrCode> code = EncodeQr(kUri);
  ASSERT_TRUE(code.ok());
  std::string png = QrPng(*code);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n"));
  ExpectPngShowsTheSymbol(kUri, png, 4, 4);
}

TEST(QrCodeTest, PngHonoursScaleAndBorder) {
  const std::string data = "otpauth://totp/x@123456789012?secret=ABC";
  Result<QrCode> code = EncodeQr(data);
  ASSERT_TRUE(code.ok());
  ExpectPngShowsTheSymbol(data, QrPng(*code, 3, 2), 3, 2);
  ExpectPngShowsTheSymbol(data, QrPng(*code, 1, 0), 1, 0);
  // The largest symbol (version 40, 177 modules) still makes a well-formed image.
  Result<QrCode> largest = EncodeQr(std::string(2331, 'x'));
  ASSERT_TRUE(largest.ok());
  ExpectPngShowsTheSymbol(std::string(2331, 'x'), QrPng(*largest, 5, 4), 5, 4);
}

}  // namespace
}  // namespace orgtwin
