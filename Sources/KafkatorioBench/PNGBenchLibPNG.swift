import PalettePNG

#if canImport(Glibc)
import Glibc
#endif

/// Baseline for the `png` benchmark: libpng's simplified API (`png_image_write_to_memory`
/// with `PNG_FORMAT_RGBA_COLORMAP`), loaded with `dlopen` so the package needs no libpng
/// module. `png_image` is laid out by hand (libpng 1.6: pointer, 7 × uint32, char[64]).
struct LibPNGBaseline {
    typealias WriteToMemory = @convention(c) (
        UnsafeMutableRawPointer, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>, Int32, UnsafeRawPointer, Int32,
        UnsafeRawPointer?
    ) -> Int32
    let write: WriteToMemory

    init?() {
        guard let lib = dlopen("libpng16.so.16", RTLD_NOW), let sym = dlsym(lib, "png_image_write_to_memory") else {
            return nil
        }
        write = unsafeBitCast(sym, to: WriteToMemory.self)
    }

    /// PNG bytes of `image`; `fast` sets `PNG_IMAGE_FLAG_FAST`. Nil on failure.
    func encode(_ image: PaletteImage, fast: Bool) -> [UInt8]? {
        var control = [UInt8](repeating: 0, count: 112)
        func put(_ v: UInt32, at offset: Int) {
            control.withUnsafeMutableBytes { $0.storeBytes(of: v, toByteOffset: offset, as: UInt32.self) }
        }
        put(1, at: 8)  // PNG_IMAGE_VERSION
        put(UInt32(image.width), at: 12)
        put(UInt32(image.height), at: 16)
        put(0x0B, at: 20)  // PNG_FORMAT_RGBA_COLORMAP
        put(fast ? 0x02 : 0, at: 24)  // PNG_IMAGE_FLAG_FAST
        put(UInt32(image.palette.count), at: 28)
        let colormap = image.palette.flatMap { [$0.r, $0.g, $0.b, $0.a] }
        var size = image.width * image.height * 2 + 4096
        var out = [UInt8](repeating: 0, count: size)
        let ok = control.withUnsafeMutableBytes { c in
            out.withUnsafeMutableBytes { o in
                image.pixels.withUnsafeBytes { p in
                    colormap.withUnsafeBytes { m in
                        write(c.baseAddress!, o.baseAddress, &size, 0, p.baseAddress!, Int32(image.width), m.baseAddress)
                    }
                }
            }
        }
        guard ok != 0 else { return nil }
        out.removeSubrange(size...)
        return out
    }
}
