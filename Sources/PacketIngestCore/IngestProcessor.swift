package import KafkaModel
package import Shared

/// One consumed record, as PacketIngest sees it.
package struct IngestInput: Sendable {
    package var partition: InputPartition
    /// The record value: the line's bytes.
    package var value: [UInt8]
    /// The `server` header.
    package var server: String?
    /// The `source` header.
    package var source: String?
    /// The `signature` header (`<provenance format>:<hex>`).
    package var signature: String?

    package init(partition: InputPartition, value: [UInt8], server: String?, source: String?, signature: String?) {
        self.partition = partition
        self.value = value
        self.server = server
        self.source = source
        self.signature = signature
    }
}

/// What happened to one input line.
package enum LineOutcome: Sendable, Hashable {
    /// A valid packet, routed.
    case accepted
    /// Already processed (same server, fingerprint and an offset at or below the high-water mark).
    case duplicate
    /// Dead-lettered with this reason.
    case rejected(String)
    /// A console line that became a server event.
    case consoleEvent
    /// A console line that is not an event (counted, not dead-lettered).
    case consoleIgnored
}

/// The pure heart of PacketIngest: authenticates, deduplicates, validates and routes one line at a
/// time, tracks per-server packet sequence numbers, turns console lines into server events, and
/// knows which dedup state records the processed lines require.
///
/// Order per line: authenticate (provenance format, then the signature over server, topic kind,
/// source position and line, against the registry) → check the record is on its server's
/// partition → per-server fingerprint cap → deduplicate on (server, fingerprint, offset) → decode
/// and validate → per-server surface and player caps → route. Unauthenticated, misplaced or
/// capped lines never touch the dedup state, so neither a forger nor a replay can suppress real
/// lines.
package struct IngestProcessor: Sendable {
    package let topics: Topics
    package let router: PacketRouter
    package let authenticator: Authenticator
    package let caps: ServerCaps
    /// Partition counts of the input topics; a topic without one is not checked.
    package var inputPartitions: [InputTopic: Int]
    private let now: @Sendable () -> Int64
    private var state: [InputPartition: PartitionState] = [:]
    private var dirty: [InputPartition: Set<DedupKey>] = [:]
    private var dirtyMembers: [InputPartition: [MemberKey: Bool]] = [:]
    private var capHits: [ServerCap: Int] = [:]

    /// - Parameters:
    ///   - mapPartitions: the partition count of `map` (see ``PacketRouter/mapPartitions``).
    ///   - inputPartitions: the partition counts of `raw` and `console`: a record must be on the
    ///     partition librdkafka's default partitioner gives its server id (``Partitioner``).
    ///   - now: wall clock in milliseconds for event times (injected for golden tests).
    package init(
        topics: Topics, limits: PacketLimits = PacketLimits(), mapPartitions: Int = 1, authenticator: Authenticator,
        caps: ServerCaps = ServerCaps(), inputPartitions: [InputTopic: Int] = [:],
        now: @escaping @Sendable () -> Int64 = { WallClock.nowMillis() }
    ) {
        self.topics = topics
        self.router = PacketRouter(topics: topics, limits: limits, mapPartitions: mapPartitions)
        self.authenticator = authenticator
        self.caps = caps
        self.inputPartitions = inputPartitions
        self.now = now
    }

    /// The state of an input partition (tests, diagnostics).
    package func partitionState(_ p: InputPartition) -> PartitionState? { state[p] }

    /// Replaces the state of `partition` with what the state records say (their key and value, in
    /// the order they were written). Returns the records that were malformed or out of range
    /// (ignored; the caller logs them), with why.
    @discardableResult
    package mutating func restore(
        _ partition: InputPartition, records: [(key: String, value: [UInt8])]
    ) -> [(key: String, problem: String)] {
        var s = PartitionState()
        var invalid: [(key: String, problem: String)] = []
        for r in records {
            if case .invalid(let problem) = s.apply(key: r.key, value: r.value, topic: partition.topic) {
                invalid.append((r.key, problem))
            }
        }
        state[partition] = s
        dirty[partition] = nil
        dirtyMembers[partition] = nil
        return invalid
    }

    /// Forgets the state of a partition this instance no longer owns.
    package mutating func drop(_ partition: InputPartition) {
        state[partition] = nil
        dirty[partition] = nil
        dirtyMembers[partition] = nil
    }

    /// Lines dead-lettered `server_cap_exceeded` since the last call, by cap.
    package mutating func takeCapHits() -> [ServerCap: Int] {
        defer { capHits = [:] }
        return capHits
    }

    /// Processes one line, appending the records to publish to `out`.
    package mutating func process(_ input: IngestInput, into out: inout [ProducerMessage]) -> LineOutcome {
        let line = RawLine(bytes: input.value, server: input.server, source: input.source)
        func reject(_ r: IngestRejection) -> LineOutcome {
            out.append(router.deadLetter(line, rejection: r, input: inputTopicName(input.partition.topic)))
            return .rejected(r.reason)
        }
        func capped(_ cap: ServerCap, _ server: String) -> LineOutcome {
            capHits[cap, default: 0] += 1
            let limit = caps.limit(cap)
            return reject(
                .serverCapExceeded(
                    "server \(server) already has \(limit) \(cap.noun) in the state of \(input.partition); the cap is "
                        + "\(limit) (\(cap.settingKey))"))
        }
        let server: String
        let source: SourcePosition
        switch authenticator.authenticate(input) {
        case .failure(let failure): return reject(failure)
        case .success(let authentic): (server, source) = authentic
        }
        if let count = inputPartitions[input.partition.topic] {
            let expected = Partitioner.partition(of: server, count: count)
            guard expected == input.partition.partition else {
                return reject(
                    .wrongPartition(
                        "server \(server)'s records belong on \(InputPartition(input.partition.topic, expected)) (CRC-32 "
                            + "of the key modulo \(count) partitions, librdkafka's default partitioner); this one is on "
                            + "\(input.partition): a replay, or a producer with another partitioner"))
            }
        }
        let key = DedupKey(topic: input.partition.topic, server: server, source: source)
        // No binding of the state here: a copy alive across `admit` would copy its dictionaries.
        if state[input.partition].map({ $0.isNew(key) && $0.count(.fingerprints, server: server) >= caps.fingerprints })
            ?? false
        {
            return capped(.fingerprints, server)
        }
        guard state[input.partition, default: PartitionState()].admit(key, offset: source.offset) else {
            return .duplicate
        }
        dirty[input.partition, default: []].insert(key)
        switch input.partition.topic {
        case .raw:
            let packet: Packet
            do {
                packet = try PacketLine.decode(input.value, limits: router.limits)
            } catch {
                return reject(.packet(error))
            }
            switch state[input.partition, default: PartitionState()].members(of: packet, server: server, caps: caps) {
            case .failure(let cap):
                return capped(cap, server)
            case .success(let changes):
                state[input.partition]?.admitMembers(changes)
                for (member, present) in changes { dirtyMembers[input.partition, default: [:]][member] = present }
            }
            sequence(packet, server: server, source: input.source, partition: input.partition, into: &out)
            out.append(contentsOf: router.records(for: packet, server: server, source: input.source))
            return .accepted
        case .console:
            guard input.value.count <= router.limits.maxLineBytes else {
                return reject(.packet(PacketError(.lineTooLong, "\(input.value.count) bytes")))
            }
            guard let event = ConsoleParser.parse(String(decoding: input.value, as: UTF8.self)) else {
                return .consoleIgnored
            }
            out.append(
                eventRecord(
                    ServerEvent(
                        kind: event.kind, server: server, time: now(), player: event.player, message: event.message,
                        source: input.source)))
            return .consoleEvent
        }
    }

    /// Session starts and sequence gaps: a `session_start` resets the server's sequence; any other
    /// packet whose `seq` is more than one above the last one seen reports the missing count.
    private mutating func sequence(
        _ packet: Packet, server: String, source: String?, partition: InputPartition, into out: inout [ProducerMessage]
    ) {
        let last = state[partition]?.lastSeq[server]
        state[partition, default: PartitionState()].lastSeq[server] = packet.seq
        if packet.type == .sessionStart {
            out.append(
                eventRecord(
                    ServerEvent(kind: .sessionStart, server: server, time: now(), tick: Int64(packet.tick), source: source)))
        } else if let last, packet.seq > last + 1 {
            out.append(
                eventRecord(
                    ServerEvent(
                        kind: .sequenceGap, server: server, time: now(), tick: Int64(packet.tick),
                        missing: Int64(packet.seq - last - 1), source: source)))
        }
    }

    /// A server event on `live`: key server id, headers server, type=event, source.
    package func eventRecord(_ event: ServerEvent) -> ProducerMessage {
        var headers = [
            KafkaHeader(key: RecordHeader.server, string: event.server),
            KafkaHeader(key: RecordHeader.packetType, string: ServerEvent.recordType),
        ]
        if let s = event.source { headers.append(KafkaHeader(key: RecordHeader.source, string: s)) }
        return ProducerMessage(topic: topics.live, key: event.server, value: event.encoded(), headers: headers)
    }

    /// The dedup state records for every key changed since the last call (one per key, however many
    /// lines it covered), and forgets that they were pending. Each goes to the state topic's
    /// partition with the input partition's number (the message's explicit `partition`), keyed
    /// `<topic>/<server>/<fingerprint>`; then the membership records of new surfaces and players
    /// (``MemberKey``: value `1`, or empty for a deleted surface).
    package mutating func takeStateRecords() -> [ProducerMessage] {
        var out: [ProducerMessage] = []
        for (p, keys) in dirty.sorted(by: { ($0.key.topic.rawValue, $0.key.partition) < ($1.key.topic.rawValue, $1.key.partition) }) {
            guard let s = state[p] else { continue }
            for key in keys.sorted(by: { $0.string < $1.string }) {
                out.append(
                    ProducerMessage(
                        topic: topics.ingestDedup, key: key.string, value: s.recordValue(for: key), partition: p.partition))
            }
        }
        for (p, members) in dirtyMembers.sorted(by: { $0.key.partition < $1.key.partition }) {
            for (member, present) in members.sorted(by: { $0.key.string < $1.key.string }) {
                out.append(
                    ProducerMessage(
                        topic: topics.ingestDedup, key: member.string, value: present ? [UInt8(ascii: "1")] : [],
                        partition: p.partition))
            }
        }
        dirty = [:]
        dirtyMembers = [:]
        return out
    }

    private func inputTopicName(_ t: InputTopic) -> String {
        t == .raw ? topics.raw : topics.console
    }
}
