// libFuzzer target for the packet-line parser (`make fuzz`, scripts/fuzz.sh). Compiled together
// with Sources/Shared into one module, so it calls the codec directly.
//
// Invariants checked on every input (a violation traps, which libFuzzer reports as a crash):
// - decoding never crashes, and a rejection names a byte offset inside the line (or none);
// - an accepted line re-encodes canonically, the canonical line decodes to the same packet, and
//   re-encoding that gives the same bytes (decode → encode → decode round trip);
// - the cheap tag check agrees with the decoder on what is a packet line.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPacketLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let limits = PacketLimits()
    do {
        let packet = try PacketLine.decode(bytes, limits: limits)
        precondition(PacketLine.isPacketLine(bytes), "accepted a line without the tag")
        let canonical = PacketLine.encode(packet)
        let again: Packet
        do {
            again = try PacketLine.decode(canonical, limits: PacketLimits(maxLineBytes: 1 << 30))
        } catch {
            preconditionFailure("canonical line rejected (\(error)): \(String(decoding: canonical, as: UTF8.self))")
        }
        precondition(again == packet, "round trip changed the packet: \(String(decoding: canonical, as: UTF8.self))")
        precondition(PacketLine.encode(again) == canonical, "canonical encoding is not stable")
    } catch {
        if error.reason == .notAPacket {
            precondition(!PacketLine.isPacketLine(bytes) || size == 0, "tagged line reported as not a packet")
        }
        if let offset = error.offset, error.reason != .badEncoding, error.reason != .payloadTooLarge {
            // Offsets of a `~` payload's errors point into the inflated JSON, which may be longer.
            if !bytes.contains(UInt8(ascii: "~")) { precondition(offset >= 0 && offset <= size, "offset \(offset) outside the line") }
        }
    }
    return 0
}
