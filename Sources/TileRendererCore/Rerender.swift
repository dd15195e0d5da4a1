import Foundation
import Shared

/// A re-render command on the control topic: every worker re-renders and re-publishes the
/// tiles it owns of `server` (and `surface`), even unchanged ones.
package struct RerenderCommand: Sendable, Hashable, Codable {
    package var type = "rerender"
    package var id: String
    package var server: String
    package var surface: String?

    package init(id: String, server: String, surface: String?) {
        self.id = id
        self.server = server
        self.surface = surface
    }

    /// Parses a command; nil for other control records (progress reports) or bad JSON.
    package init?(json: [UInt8]) {
        guard let c = try? JSONDecoder().decode(RerenderCommand.self, from: Data(json)), c.type == "rerender" else { return nil }
        self = c
    }

    /// The command's JSON.
    package var json: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }
}

/// A record of the control topic as a worker reads it.
package enum ControlRecord: Sendable, Hashable {
    /// A valid re-render command.
    case command(RerenderCommand)
    /// A progress report (the `rerender` command's, not the workers').
    case progress
    /// Neither, or a command whose values are out of range: skipped, counted and logged.
    case bad(String)

    /// Classifies a control record: at most ``RecordBounds/maxControlBytes``, JSON of a known type;
    /// a command's id 1–128 bytes, its server a valid server id and its surface (if any) a valid name.
    package init(json: [UInt8]) {
        guard json.count <= RecordBounds.maxControlBytes else {
            self = .bad("\(json.count) bytes, more than \(RecordBounds.maxControlBytes)")
            return
        }
        if let c = try? JSONDecoder().decode(RerenderCommand.self, from: Data(json)), c.type == "rerender" {
            guard (1...RecordBounds.maxCommandID).contains(c.id.utf8.count) else { self = .bad("command id of \(c.id.utf8.count) bytes"); return }
            guard Identifier.isValidServerID(c.server) else { self = .bad("command server not a valid server id"); return }
            guard c.surface.map(Identifier.isValidSurfaceName) ?? true else { self = .bad("command surface not a valid name"); return }
            self = .command(c)
        } else if RerenderProgress(json: json) != nil {
            self = .progress
        } else {
            self = .bad("not a rerender command nor a progress report")
        }
    }
}

/// A worker's progress on a re-render command: tiles still to render in its partitions.
package struct RerenderProgress: Sendable, Hashable, Codable {
    package var type = "progress"
    package var id: String
    package var worker: String
    package var partitions: [Int32]
    package var remaining: Int

    package init(id: String, worker: String, partitions: [Int32], remaining: Int) {
        self.id = id
        self.worker = worker
        self.partitions = partitions
        self.remaining = remaining
    }

    /// Parses a progress report; nil for other records.
    package init?(json: [UInt8]) {
        guard let p = try? JSONDecoder().decode(RerenderProgress.self, from: Data(json)), p.type == "progress" else { return nil }
        self = p
    }

    package var json: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }
}
