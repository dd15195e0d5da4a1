import Foundation

/// A re-render command on the control topic: every worker re-renders and re-publishes the
/// tiles it owns of `server` (and `surface`), even unchanged ones.
public struct RerenderCommand: Sendable, Hashable, Codable {
    public var type = "rerender"
    public var id: String
    public var server: String
    public var surface: String?

    public init(id: String, server: String, surface: String?) {
        self.id = id
        self.server = server
        self.surface = surface
    }

    /// Parses a command; nil for other control records (progress reports) or bad JSON.
    public init?(json: [UInt8]) {
        guard let c = try? JSONDecoder().decode(RerenderCommand.self, from: Data(json)), c.type == "rerender" else { return nil }
        self = c
    }

    /// The command's JSON.
    public var json: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }
}

/// A worker's progress on a re-render command: tiles still to render in its partitions.
public struct RerenderProgress: Sendable, Hashable, Codable {
    public var type = "progress"
    public var id: String
    public var worker: String
    public var partitions: [Int32]
    public var remaining: Int

    public init(id: String, worker: String, partitions: [Int32], remaining: Int) {
        self.id = id
        self.worker = worker
        self.partitions = partitions
        self.remaining = remaining
    }

    /// Parses a progress report; nil for other records.
    public init?(json: [UInt8]) {
        guard let p = try? JSONDecoder().decode(RerenderProgress.self, from: Data(json)), p.type == "progress" else { return nil }
        self = p
    }

    public var json: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }
}
