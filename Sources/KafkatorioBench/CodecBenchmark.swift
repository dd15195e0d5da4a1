import ArgumentParser
import Shared
import TestSupport


/// `codec`: decode/encode throughput of the packet line codec against the Foundation reference.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec", abstract: "Packet line codec throughput (fast decoder vs JSONDecoder reference).")

    @Option(help: "Number of distinct lines in the mix.") var lines = 10_000
    @Option(help: "Seconds per measurement.") var seconds = 2.0

    func run() throws {
        var rng = SplitMix64(state: 7)
        let packets = (0..<lines).map { i in PacketMix.packet(i, &rng) }
        let encoded = packets.map { PacketLine.encode($0) }
        let strings = encoded.map { String(decoding: $0, as: UTF8.self) }
        let bytes = encoded.reduce(0) { $0 + $1.count + 1 }
        var counts = [PacketType: Int]()
        for p in packets { counts[p.type, default: 0] += 1 }
        print("mix: \(lines) lines, \(bytes) bytes (avg \(bytes / lines) B/line):",
            counts.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        for (e, p) in zip(encoded, packets) where (try? PacketLine.decode(e)) != p {
            throw ValidationError("mix line does not round-trip: \(String(decoding: e, as: UTF8.self))")
        }

        let fast = Bench.measure(seconds: seconds) {
            var n = 0
            for l in encoded { if (try? PacketLine.decode(l)) != nil { n += 1 } }
            return n
        }
        let reference = Bench.measure(seconds: seconds) {
            var n = 0
            for s in strings { if (try? ReferencePacketCodec.decode(s)) != nil { n += 1 } }
            return n
        }
        let encode = Bench.measure(seconds: seconds) {
            var n = 0
            for p in packets { n &+= PacketLine.encode(p).count > 0 ? 1 : 0 }
            return n
        }
        let mbPerPacket = Double(bytes) / Double(lines) / 1e6
        print("")
        print(Bench.pad("operation", 34) + Bench.pad("packets/s", 14, right: true) + Bench.pad("MB/s", 10, right: true)
            + Bench.pad("µs/packet", 12, right: true))
        for (name, rate) in [
            ("decode  PacketLine (fast)", fast), ("decode  ReferencePacketCodec", reference),
            ("encode  PacketLine.encode", encode),
        ] {
            print(Bench.pad(name, 34) + Bench.pad(Bench.format(rate, 0), 14, right: true) + Bench.pad(Bench.format(rate * mbPerPacket, 1), 10, right: true)
                + Bench.pad(Bench.format(1e6 / rate, 3), 12, right: true))
        }
        print("")
        print("fast decode / reference decode: \(Bench.format(fast / reference, 1))×")
    }
}
