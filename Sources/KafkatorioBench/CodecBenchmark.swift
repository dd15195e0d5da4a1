import ArgumentParser
import Shared

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `codec`: decode/encode throughput of the packet line codec against the Foundation reference.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec", abstract: "Packet line codec throughput (fast decoder vs JSONDecoder reference).")

    @Option(help: "Number of distinct lines in the mix.") var lines = 10_000
    @Option(help: "Seconds per measurement.") var seconds = 2.0

    func run() throws {
        var rng = BenchRandom(state: 7)
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

        let fast = measure(seconds) {
            var n = 0
            for l in encoded { if (try? PacketLine.decode(l)) != nil { n += 1 } }
            return n
        }
        let reference = measure(seconds) {
            var n = 0
            for s in strings { if (try? ReferencePacketCodec.decode(s)) != nil { n += 1 } }
            return n
        }
        let encode = measure(seconds) {
            var n = 0
            for p in packets { n &+= PacketLine.encode(p).count > 0 ? 1 : 0 }
            return n
        }
        let mbPerPacket = Double(bytes) / Double(lines) / 1e6
        print("")
        print(pad("operation", 34) + pad("packets/s", 14, right: true) + pad("MB/s", 10, right: true)
            + pad("µs/packet", 12, right: true))
        for (name, rate) in [
            ("decode  PacketLine (fast)", fast), ("decode  ReferencePacketCodec", reference),
            ("encode  PacketLine.encode", encode),
        ] {
            print(pad(name, 34) + pad(format(rate, 0), 14, right: true) + pad(format(rate * mbPerPacket, 1), 10, right: true)
                + pad(format(1e6 / rate, 3), 12, right: true))
        }
        print("")
        print("fast decode / reference decode: \(format(fast / reference, 1))×")
    }

    /// Runs `body` (one pass over the mix) repeatedly for about `seconds`; packets per second.
    func measure(_ seconds: Double, _ body: () -> Int) -> Double {
        _ = body()  // warm-up
        var done = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            done += body()
            elapsed = now() - start
        } while elapsed < seconds
        return Double(done) / elapsed
    }

    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func format(_ v: Double, _ decimals: Int) -> String {
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let r = (v * p).rounded() / p
        var s = decimals == 0 ? String(Int(r)) : String(r)
        if decimals > 0, let dot = s.firstIndex(of: ".") {
            let have = s.distance(from: dot, to: s.endIndex) - 1
            if have < decimals { s += String(repeating: "0", count: decimals - have) }
        }
        return s
    }

    func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return right ? fill + s : s + fill
    }
}
