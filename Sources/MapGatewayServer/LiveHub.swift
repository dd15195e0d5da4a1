package import MapGatewayCore
import Metrics
import NIOCore
package import Shared
import Synchronization

/// Counters of one WebSocket client's outgoing queue, for tests and metrics.
package struct ClientQueueStatistics: Sendable, Hashable {
    /// The hub's id of the client.
    package var id: UInt64
    /// The server the client follows.
    package var server: String
    /// Messages currently waiting in the client's queue (as of the last enqueue).
    package var buffered: Int
    /// The most messages that ever waited in the queue at once; never above the queue depth.
    package var maxBuffered: Int
    /// Messages enqueued since the client connected.
    package var enqueued: UInt64
    /// Messages dropped because the client was too slow (the oldest ones go first).
    package var dropped: UInt64
}

/// A WebSocket client's subscription: the snapshot to send first, then the live updates.
struct LiveSubscription: Sendable {
    /// The hub's id of this client.
    var id: UInt64
    /// The encoded `snapshot` message, consistent with the first message of ``messages``.
    var snapshot: ByteBuffer
    /// Encoded messages, each shared by every client of the server.
    var messages: AsyncStream<ByteBuffer>
}

/// The live state of every server and the fan-out of its changes to WebSocket clients.
///
/// The Kafka consumer of the live topic calls ``apply(_:server:receivedAt:)`` for every packet;
/// the tiles consumer calls ``tileUpdated(_:version:)`` after ``TileStore/put(key:png:contentHash:version:now:)``.
/// Each message is encoded once and yielded to every client of that server. Each client has its
/// own bounded queue (`AsyncStream` with `.bufferingNewest(queueDepth)`): yielding never waits,
/// and a slow client loses its own oldest messages without slowing anyone else.
///
/// Player updates are sent in frames: with a `playerFrameMillis` above 0, the updates of a server
/// that arrive within one frame are folded into one `players` message holding each changed
/// player's latest state (player state is absolute, so nothing is lost), sent when the frame ends.
/// Fifty players moving at 4 Hz then cost each client 1000 / `playerFrameMillis` messages a
/// second instead of 200. Any other message of that server first sends the open frame, so
/// clients see every change in the order the state went through them. With 0, every update is
/// its own `players` message at once. Train updates are framed the same way, into one `trains`
/// message per frame (sent after the frame's `players` message).
package final class LiveHub: Sendable {
    private struct Client {
        var server: String
        var continuation: AsyncStream<ByteBuffer>.Continuation
        var stats: ClientQueueStatistics
    }

    /// Player and train updates of one server waiting for the end of the frame.
    private struct PlayerFrame {
        var players: [PlayerState] = []
        /// Index in ``players`` of each player's entry.
        var slot: [Int: Int] = [:]
        var trains: [TrainState] = []
        /// Index in ``trains`` of each train's entry.
        var trainSlot: [Int: Int] = [:]
        /// When the frame's oldest update reached the hub (Unix milliseconds): its `at`.
        var since: Int64

        /// Adds `value` under `key`, replacing an earlier entry of the same key in place.
        static func fold<T>(_ value: T, key: Int, into list: inout [T], slots: inout [Int: Int]) {
            if let i = slots[key] {
                list[i] = value
            } else {
                slots[key] = list.count
                list.append(value)
            }
        }
    }

    private struct State {
        var servers: [String: LiveState] = [:]
        var frames: [String: PlayerFrame] = [:]
        var flushScheduled = false
        var clients: [UInt64: Client] = [:]
        var clientsByServer: [String: Set<UInt64>] = [:]
        var nextID: UInt64 = 1
        var finished = false
    }

    /// The per-client queue bound, in messages.
    package let queueDepth: Int
    /// How many chat messages each server keeps.
    package let chatCapacity: Int
    /// A server silent for longer than this is shown as stale.
    package let staleAfterSeconds: Int
    /// The length of a player frame in milliseconds (0: every player update is sent at once).
    package let playerFrameMillis: Int
    /// Bounds on servers, players and surfaces kept (``LiveLimits``).
    package let limits: LiveLimits
    let metrics: GatewayMetrics?
    private let state = Mutex(State())

    /// Creates a hub whose clients each buffer at most `queueDepth` messages and get player
    /// updates in frames of `playerFrameMillis` (0: at once).
    package init(
        queueDepth: Int = 256, chatCapacity: Int = LiveState.defaultChatCapacity, staleAfterSeconds: Int = 60,
        playerFrameMillis: Int = 0, limits: LiveLimits = LiveLimits(), metrics: GatewayMetrics? = nil
    ) {
        self.limits = limits
        self.queueDepth = max(1, queueDepth)
        self.chatCapacity = chatCapacity
        self.staleAfterSeconds = staleAfterSeconds
        self.playerFrameMillis = max(0, playerFrameMillis)
        self.metrics = metrics
    }

    // MARK: Ingestion (called by the Kafka side)

    /// Applies a live packet of `server` and notifies that server's clients. Packets that are not
    /// live state (map, prototypes) are ignored. Returns the resulting event, if any.
    /// `receivedAt` is in Unix milliseconds (e.g. the Kafka record timestamp).
    /// A packet beyond ``limits`` or out of range is ignored (counted; see ``applyChecked(_:server:receivedAt:)``).
    @discardableResult
    package func apply(_ packet: Packet, server: String, receivedAt: Int64 = WallClock.nowMillis()) -> LiveEvent? {
        try? applyChecked(packet, server: server, receivedAt: receivedAt).get()
    }

    /// ``apply(_:server:receivedAt:)``, telling why a packet was ignored: a new server beyond
    /// ``LiveLimits/maxServers``, a time out of range, or what ``LiveLimits/check(_:against:)`` says.
    /// Each ignored packet counts in `kafkatorio_gateway_live_rejected_total{reason}`.
    package func applyChecked(
        _ packet: Packet, server: String, receivedAt: Int64 = WallClock.nowMillis()
    ) -> Result<LiveEvent?, LiveRejection> {
        let result: Result<(LiveEvent?, Bool), LiveRejection> = state.withLock { state in
            let capacity = chatCapacity
            guard LiveLimits.timeRange.contains(receivedAt) else { return .failure(.time) }
            if state.servers[server] == nil, state.servers.count >= limits.maxServers { return .failure(.servers) }
            if let rejection = limits.check(
                packet, against: state.servers[server] ?? LiveState(server: server, chatCapacity: capacity))
            {
                return .failure(rejection)
            }
            // Taken out while it changes, so the change does not copy the server's whole state.
            var live = state.servers.removeValue(forKey: server) ?? LiveState(server: server, chatCapacity: capacity)
            let event = live.apply(packet, receivedAt: receivedAt)
            state.servers[server] = live
            guard let event else { return .success((nil, false)) }
            // Encode once (inside the lock, so every client sees the same order as the state).
            return .success((event, publish(event, server: server, now: WallClock.nowMillis(), in: &state)))
        }
        return finish(result)
    }

    /// Applies a server event (join, leave, chat, start, stop, …) and notifies the server's
    /// clients of everything it changed. Returns the resulting events.
    /// An event beyond ``limits`` or out of range is ignored (counted; see ``applyChecked(event:)``).
    @discardableResult
    package func apply(event: ServerEvent) -> [LiveEvent] {
        (try? applyChecked(event: event).get()) ?? []
    }

    /// ``apply(event:)``, telling why an event was ignored (``LiveLimits/check(_:)``, or a new
    /// server beyond ``LiveLimits/maxServers``); counted like ``applyChecked(_:server:receivedAt:)``.
    package func applyChecked(event: ServerEvent) -> Result<[LiveEvent], LiveRejection> {
        let result: Result<([LiveEvent], Bool), LiveRejection> = state.withLock { state in
            let capacity = chatCapacity
            if let rejection = LiveLimits.check(event) { return .failure(rejection) }
            if state.servers[event.server] == nil, state.servers.count >= limits.maxServers {
                return .failure(.servers)
            }
            let events = state.servers[event.server, default: LiveState(server: event.server, chatCapacity: capacity)]
                .apply(event: event)
            let now = WallClock.nowMillis()
            var schedule = false
            for e in events where publish(e, server: event.server, now: now, in: &state) { schedule = true }
            return .success((events, schedule))
        }
        return finish(result)
    }

    /// After an application under the lock: schedules the frame flush it asked for, or counts
    /// its rejection.
    private func finish<T>(_ result: Result<(T, Bool), LiveRejection>) -> Result<T, LiveRejection> {
        switch result {
        case .success(let (value, schedule)):
            if schedule { scheduleFlush() }
            return .success(value)
        case .failure(let rejection):
            metrics?.liveRejected(rejection).increment()
            return .failure(rejection)
        }
    }

    /// Sends every open player frame now (normally called when the frame ends).
    package func flushPlayerFrames() {
        state.withLock { state in
            state.flushScheduled = false
            for server in Array(state.frames.keys) { flushFrame(server: server, in: &state) }
        }
    }

    /// Sends every server's clients its current status (a heartbeat the page watches, and how
    /// viewers learn that a silent server became stale).
    package func broadcastStatus(now: Int64 = WallClock.nowMillis()) {
        state.withLock { state in
            for server in Array(state.clientsByServer.keys) {
                flushFrame(server: server, in: &state)
                let live = state.servers[server] ?? LiveState(server: server)
                let message = LiveMessages.status(live, now: now, staleAfterSeconds: staleAfterSeconds)
                broadcast(message, server: server, in: &state)
            }
        }
    }

    /// Tells the clients of `key.server` that tile `key` has a new version.
    package func tileUpdated(_ key: TileKey, version: UInt64) {
        state.withLock { state in
            broadcast(LiveMessages.tile(key, version: version, removed: false), server: key.server, in: &state)
        }
    }

    /// Tells the clients of `key.server` that tile `key` no longer exists.
    package func tileRemoved(_ key: TileKey) {
        state.withLock { state in
            broadcast(LiveMessages.tile(key, version: 0, removed: true), server: key.server, in: &state)
        }
    }

    // MARK: Queries

    /// The live state of `server`, if any packet of it was seen.
    package func state(server: String) -> LiveState? {
        state.withLock { $0.servers[server] }
    }

    /// The live state of every server seen, sorted by server id.
    package func allStates() -> [LiveState] {
        state.withLock { Array($0.servers.values) }.sorted { $0.server < $1.server }
    }

    /// Queue counters of every connected client, sorted by id.
    package func clientStatistics() -> [ClientQueueStatistics] {
        state.withLock { $0.clients.values.map(\.stats) }.sorted { $0.id < $1.id }
    }

    /// Number of connected clients.
    package var clientCount: Int { state.withLock { $0.clients.count } }

    // MARK: Clients

    /// Registers a client of `server` and returns its snapshot and update stream. Registration and
    /// the snapshot happen under one lock, so no update falls between them.
    func subscribe(server: String) -> LiveSubscription {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(queueDepth))
        let (id, snapshotState, count): (UInt64, LiveState, Int) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let stats = ClientQueueStatistics(
                id: id, server: server, buffered: 0, maxBuffered: 0, enqueued: 0, dropped: 0)
            if state.finished {
                continuation.finish()
            } else {
                state.clients[id] = Client(server: server, continuation: continuation, stats: stats)
                state.clientsByServer[server, default: []].insert(id)
            }
            return (
                id, state.servers[server] ?? LiveState(server: server, chatCapacity: chatCapacity),
                state.clients.count
            )
        }
        metrics?.connections.record(count)
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        let snapshot = LiveMessages.snapshot(
            snapshotState, now: WallClock.nowMillis(), staleAfterSeconds: staleAfterSeconds)
        return LiveSubscription(id: id, snapshot: snapshot, messages: stream)
    }

    /// Removes a client; its stream finishes.
    func unsubscribe(_ id: UInt64) {
        let (continuation, count): (AsyncStream<ByteBuffer>.Continuation?, Int) = state.withLock { state in
            guard let client = state.clients.removeValue(forKey: id) else { return (nil, state.clients.count) }
            state.clientsByServer[client.server]?.remove(id)
            if state.clientsByServer[client.server]?.isEmpty == true {
                state.clientsByServer[client.server] = nil
            }
            return (client.continuation, state.clients.count)
        }
        guard let continuation else { return }
        metrics?.connections.record(count)
        continuation.finish()
    }

    /// Finishes every client's stream and refuses new ones (graceful shutdown).
    package func finishAll() {
        let continuations = state.withLock { state in
            state.finished = true
            let all = state.clients.values.map(\.continuation)
            state.clients = [:]
            state.clientsByServer = [:]
            return all
        }
        for c in continuations { c.finish() }
    }

    /// Sends `event` to the clients of `server`, or adds it to the server's open player frame.
    /// Returns true if that opened the first frame, so the caller must schedule the flush.
    private func publish(_ event: LiveEvent, server: String, now: Int64, in state: inout State) -> Bool {
        if playerFrameMillis > 0, event.isFramed {
            var frame = state.frames[server] ?? PlayerFrame(since: now)
            if case .player(let player) = event {
                PlayerFrame.fold(player, key: player.index, into: &frame.players, slots: &frame.slot)
            } else if case .train(let train) = event {
                PlayerFrame.fold(train, key: train.id, into: &frame.trains, slots: &frame.trainSlot)
            }
            state.frames[server] = frame
            guard !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
        flushFrame(server: server, in: &state)
        let message = LiveMessages.event(
            event, state: state.servers[server]!, now: now, staleAfterSeconds: staleAfterSeconds)
        broadcast(message, server: server, in: &state)
        return false
    }

    /// Sends the open player frame of `server`, if any.
    private func flushFrame(server: String, in state: inout State) {
        guard let frame = state.frames.removeValue(forKey: server) else { return }
        if !frame.players.isEmpty {
            broadcast(LiveMessages.players(server: server, frame.players, at: frame.since), server: server, in: &state)
        }
        if !frame.trains.isEmpty {
            broadcast(LiveMessages.trains(server: server, frame.trains, at: frame.since), server: server, in: &state)
        }
    }

    /// Flushes the player frames when the current frame ends.
    private func scheduleFlush() {
        let delay = Duration.milliseconds(playerFrameMillis)
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            self?.flushPlayerFrames()
        }
    }

    private func broadcast(_ message: ByteBuffer, server: String, in state: inout State) {
        guard let ids = state.clientsByServer[server] else { return }
        let depth = queueDepth
        var queued = 0
        var dropped = 0
        defer {
            metrics?.messagesQueued.increment(by: queued)
            if dropped > 0 { metrics?.messagesDropped.increment(by: dropped) }
        }
        for id in ids {
            guard var client = state.clients[id] else { continue }
            switch client.continuation.yield(message) {
            case .enqueued(let remaining):
                queued += 1
                client.stats.enqueued += 1
                client.stats.buffered = depth - remaining
            case .dropped:
                queued += 1
                dropped += 1
                client.stats.enqueued += 1
                client.stats.dropped += 1
                client.stats.buffered = depth
            case .terminated:
                continue
            @unknown default:
                continue
            }
            client.stats.maxBuffered = max(client.stats.maxBuffered, client.stats.buffered)
            state.clients[id] = client
        }
    }
}

extension LiveEvent {
    /// Whether the event goes into a frame (player and train updates) rather than out at once.
    fileprivate var isFramed: Bool {
        switch self {
        case .player, .train: true
        default: false
        }
    }
}
