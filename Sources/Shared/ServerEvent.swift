import Foundation

/// A server-level event on the `live` topic, published by PacketIngest beside the canonical
/// packet lines (header `type` = ``ServerEvent/recordType``, key = server id, value = JSON).
///
/// PacketIngest derives these from LogPipe's `console` topic (`[JOIN]`, `[LEAVE]`, `[CHAT]`,
/// `[KICK]`, `[BAN]`, engine start-up and shutdown lines) and from the packet stream itself
/// (session starts, sequence gaps). MapGateway turns them into server status and chat.
public struct ServerEvent: Codable, Sendable, Hashable {
    /// The value of the `type` header of an event record on `live`.
    public static let recordType = "event"

    /// What happened.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The game server started hosting (engine line).
        case serverStarted = "server_started"
        /// The game server is shutting down (engine line).
        case serverStopped = "server_stopped"
        /// The game server is saving the map (engine line).
        case saving
        /// `[JOIN] name joined the game`.
        case join
        /// `[LEAVE] name left the game`.
        case leave
        /// `[KICK] name was kicked by … Reason: …`.
        case kick
        /// `[BAN] name was banned by … Reason: …`.
        case ban
        /// `[CHAT] name: message` (console chat, including `<server>`).
        case chat
        /// A `session_start` packet: the game was (re)loaded; clients should refetch state.
        case sessionStart = "session_start"
        /// Packet sequence numbers jumped: `missing` lines never arrived (the map heals
        /// through the mod's anti-entropy sweep).
        case sequenceGap = "sequence_gap"
    }

    public var kind: Kind
    /// Server id.
    public var server: String
    /// Wall-clock milliseconds since 1970 when PacketIngest saw the line.
    public var time: Int64
    /// Player name (join, leave, kick, ban, chat).
    public var player: String?
    /// Chat text, kick/ban reason, or the engine line for start/stop/saving.
    public var message: String?
    /// Game tick (session start, sequence gap).
    public var tick: Int64?
    /// Number of packet lines missing (sequence gap).
    public var missing: Int64?
    /// `fingerprint:offset` of the line this event came from, when it came from one.
    public var source: String?

    public init(
        kind: Kind, server: String, time: Int64, player: String? = nil, message: String? = nil,
        tick: Int64? = nil, missing: Int64? = nil, source: String? = nil
    ) {
        self.kind = kind
        self.server = server
        self.time = time
        self.player = player
        self.message = message
        self.tick = tick
        self.missing = missing
        self.source = source
    }

    /// The record value: compact JSON with sorted keys.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }

    /// Decodes a record value; nil if it is not a server event.
    public static func decode(_ bytes: some Collection<UInt8>) -> ServerEvent? {
        try? JSONDecoder().decode(ServerEvent.self, from: Data(bytes))
    }
}
