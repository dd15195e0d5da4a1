/// Many records to produce, described by ranges into a few shared buffers instead of one
/// ``ProducerMessage`` (four arrays) per record: for producers that ship hundreds of thousands of
/// small records a second (LogPipe). Building a batch costs a few allocations in all, not several
/// per record; producing it costs none per record on the Swift side.
///
/// - ``values``: the record values, in any layout (a reader's buffer can be passed as is; a
///   value is a range of it);
/// - one key for every record (or none);
/// - headers: a fixed list of header names, and values that are ranges of ``headerBytes`` (a
///   value shared by every record, such as a server id, is stored once and referenced by each);
/// - topics: a small list of names; each record names one by index.
///
/// Sub-batches (``subset(_:)``) share the buffers, so re-sending some records copies nothing.
public struct ProducerBatch: Sendable {
    /// One header of a record: a name (index into ``headerNames``) and a range of ``headerBytes``.
    public struct Header: Sendable, Hashable {
        public var name: UInt16
        public var start: Int32
        public var count: Int32
    }

    /// One record: its topic (index into ``topics``), value range and headers.
    public struct Record: Sendable, Hashable {
        public var topic: UInt16
        public var valueStart: Int
        public var valueCount: Int
        /// The record's headers are `headers[headerStart ..< headerStart + headerCount]`.
        public var headerStart: Int32
        public var headerCount: Int32
    }

    /// The topics records go to.
    public let topics: [String]
    /// The header names records use.
    public let headerNames: [String]
    /// The key of every record, or nil for none.
    public let key: [UInt8]?
    /// The bytes the record values are ranges of.
    public let values: [UInt8]
    /// The bytes header values are ranges of.
    public private(set) var headerBytes: [UInt8] = []
    /// The records, in produce order.
    public private(set) var records: [Record] = []
    /// The headers of every record, in order.
    public private(set) var headers: [Header] = []
    /// The header names, each NUL-terminated, back to back (`rd_kafka_produceva` takes C strings).
    package let cNames: [CChar]
    /// Where each name starts in ``cNames``.
    package let cNameOffsets: [Int]

    /// Creates an empty batch whose record values will be ranges of `values`.
    public init(topics: [String], headerNames: [String], key: [UInt8]?, values: [UInt8], capacity: Int = 0) {
        precondition(topics.count <= Int(UInt16.max) && headerNames.count <= Int(UInt16.max))
        self.topics = topics
        self.headerNames = headerNames
        self.key = key
        self.values = values
        var names: [CChar] = []
        var offsets: [Int] = []
        for name in headerNames {
            offsets.append(names.count)
            names.append(contentsOf: name.utf8.map { CChar(bitPattern: $0) })
            names.append(0)
        }
        if names.isEmpty { names.append(0) }  // never an empty buffer: its address is used as a non-null pointer
        cNames = names
        cNameOffsets = offsets
        records.reserveCapacity(capacity)
    }

    /// The number of records.
    public var count: Int { records.count }
    /// True if there are no records.
    public var isEmpty: Bool { records.isEmpty }

    /// Stores a header value and returns a reference to it, for ``appendHeader(_:)`` (store a
    /// value once and reference it from many records).
    public mutating func headerValue(_ name: Int, _ bytes: some Sequence<UInt8>) -> Header {
        headerValue(name) { $0.append(contentsOf: bytes) }
    }

    /// Stores a header value written by `write` (which appends to the buffer it is given).
    public mutating func headerValue(_ name: Int, write: (inout [UInt8]) -> Void) -> Header {
        let start = headerBytes.count
        write(&headerBytes)
        return Header(name: UInt16(name), start: Int32(start), count: Int32(headerBytes.count - start))
    }

    /// Appends a record to `topics[topic]` whose value is `values[value]` and whose headers are
    /// the ones added with ``appendHeader(_:)`` since the previous record (no array per record).
    /// Returns its index.
    @discardableResult
    public mutating func appendRecord(topic: Int, value: Range<Int>) -> Int {
        precondition(topic < topics.count && value.lowerBound >= 0 && value.upperBound <= values.count)
        let headerStart = records.last.map { Int($0.headerStart + $0.headerCount) } ?? 0
        records.append(
            Record(
                topic: UInt16(topic), valueStart: value.lowerBound, valueCount: value.count,
                headerStart: Int32(headerStart), headerCount: Int32(headers.count - headerStart)))
        return records.count - 1
    }

    /// Adds a header to the next record appended with ``appendRecord(topic:value:)``.
    public mutating func appendHeader(_ header: Header) { headers.append(header) }

    /// The records at `indices`, in that order, sharing this batch's buffers.
    public func subset(_ indices: some Sequence<Int>) -> ProducerBatch {
        var out = self
        out.records = []
        out.headers = []
        for i in indices {
            let r = records[i]
            let start = out.headers.count
            out.headers.append(contentsOf: headers[Int(r.headerStart)..<Int(r.headerStart + r.headerCount)])
            var copy = r
            copy.headerStart = Int32(start)
            out.records.append(copy)
        }
        return out
    }

    /// Record `index` as a standalone message (copies; for tests and diagnostics).
    public func message(at index: Int) -> ProducerMessage {
        let r = records[index]
        return ProducerMessage(
            topic: topics[Int(r.topic)], key: key, value: Array(values[r.valueStart..<r.valueStart + r.valueCount]),
            headers: headers[Int(r.headerStart)..<Int(r.headerStart + r.headerCount)].map { h in
                KafkaHeader(
                    key: headerNames[Int(h.name)],
                    value: Array(headerBytes[Int(h.start)..<Int(h.start + h.count)]))
            })
    }
}
